"""The house rules of docs/architecture.md, checked on the source: one-way layers, no cycles, one seam.

Imports are read with ``ast`` (every import statement, also those inside functions and
``TYPE_CHECKING`` blocks: each is an arrow a reader follows).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "leadscore"

LAYERS = {  # lower numbers are lower layers; a module imports only from its own layer or below
    "errors": 0, "version": 0, "moments": 0,
    "spec": 1,
    "compiler": 2, "ranking": 2,
    "io": 3, "sample": 3,
    "engines": 4,
    "scoring": 5, "store": 5,
    "validation": 6, "learn": 6, "report": 6,
    "cli": 7, "service": 7,
}
DATABASE_CLIENTS = ("duckdb", "psycopg", "pyspark")
CLOCK_CALLS = {("datetime", "now"), ("datetime", "today"), ("date", "today"), ("time", "time"), ("datetime", "utcnow")}


def _modules() -> dict[str, Path]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        modules[name] = path
    return modules


MODULES = _modules()


def _imports(name: str) -> list[str]:
    """The modules ``name`` imports (absolute names; relative imports resolved)."""
    path = MODULES[name]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES]
    return found


def _layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.get(parts[1]) if len(parts) > 1 else None


def test_every_module_has_a_layer() -> None:
    unplaced = sorted({m.split(".")[1] for m in MODULES if "." in m and _layer(m) is None})
    assert not unplaced, f"put these in LAYERS (and docs/architecture.md): {unplaced}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if "." in m))
def test_imports_run_down_the_layers(module: str) -> None:
    upward = [
        imported for imported in _imports(module)
        if imported.startswith("leadscore.") and (_layer(imported) or 0) > (_layer(module) or 0)
    ]
    assert not upward, f"{module} (layer {_layer(module)}) imports from a higher layer: {upward}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if "." in m))
def test_nothing_inside_imports_the_package_root(module: str) -> None:
    assert "leadscore" not in _imports(module), f"{module} imports the package root (an arrow back up)"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not m.startswith("leadscore.engines")))
def test_only_engines_talk_to_databases(module: str) -> None:
    clients = [i for i in _imports(module) if i.split(".")[0] in DATABASE_CLIENTS]
    assert not clients, f"{module} imports {clients}: database code belongs in leadscore/engines/"


def test_no_import_cycles() -> None:
    graph = {m: {i for i in _imports(m) if i in MODULES and i != m} for m in MODULES}
    # the package root and package __init__ files re-export; a cycle through them is not a design cycle
    graph = {m: {i for i in deps if MODULES[i].name != "__init__.py"} for m, deps in graph.items()}
    cycles, state = [], {}

    def visit(node: str, stack: list[str]) -> None:
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append([*stack[stack.index(nxt):], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = "done"

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])
    assert not cycles, f"import cycles: {cycles}"


EDGES = ("leadscore.cli", "leadscore.service")
"""Where "now" is decided: the command line and the service's requests and workers."""


@pytest.mark.parametrize("module", sorted(m for m in MODULES if not m.startswith(EDGES)))
def test_the_clock_is_read_only_at_the_edges(module: str) -> None:
    tree = ast.parse(MODULES[module].read_text())
    calls = [
        f"{node.func.value.id}.{node.func.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name)
        and (node.func.value.id, node.func.attr) in CLOCK_CALLS
    ]
    assert not calls, f"{module} reads the clock ({calls}): take the moment as an argument from the CLI"
