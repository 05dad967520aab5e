"""Load a scorecard from YAML, keeping the line and column of every value.

Every problem is collected and raised at once as a ScorecardError, each with the
file, line, column and path (``engagement.rules[3].within``) of the value at fault.
"""

from __future__ import annotations

import difflib
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import MarkedYAMLError
from ruamel.yaml.events import AliasEvent, CollectionEndEvent, CollectionStartEvent, ScalarEvent

from leadscore.errors import Problem, ScorecardError
from leadscore.spec.conditions import CONDITION_TAGS, OPERATORS
from leadscore.spec.limits import MAX_DOCUMENT_BYTES, MAX_NUMBER_DIGITS, MAX_YAML_DEPTH, MAX_YAML_NODES
from leadscore.spec.scorecard import Scorecard, cross_rule_problems


def load_scorecard(source: str | Path) -> Scorecard:
    """Read and validate a scorecard file.

    Raises:
        ScorecardError: the file is not a valid scorecard; ``problems`` says why and where.
    """
    path = Path(source)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_DOCUMENT_BYTES + 1)
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ScorecardError([_too_large(str(path))])
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ScorecardError([Problem(str(path), 1, 1, "", f"cannot read the scorecard: {exc}")]) from exc
    return parse_scorecard(text, filename=str(path))


def _too_large(filename: str) -> Problem:
    return Problem(filename, 1, 1, "", f"the scorecard is too large: a scorecard file has at most {MAX_DOCUMENT_BYTES:,} bytes")


def parse_scorecard(text: str, filename: str = "<scorecard>") -> Scorecard:
    """Validate scorecard YAML text; ``filename`` only names it in errors."""
    if len(text.encode("utf-8", errors="replace")) > MAX_DOCUMENT_BYTES:
        raise ScorecardError([_too_large(filename)])
    yaml = YAML(typ="rt")
    try:
        _check_size(yaml, text, filename)
        document = yaml.load(text)
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise ScorecardError([Problem(filename, line, col, "", f"invalid YAML: {exc.problem or exc}")]) from exc
    if not isinstance(document, dict):
        raise ScorecardError([Problem(filename, 1, 1, "", "a scorecard is a YAML mapping (name:, fit:, engagement:, stages:)")])
    plain = _plain(document)
    try:
        return Scorecard.model_validate(plain)
    except ValidationError as exc:
        problems = [
            _problem(filename, document, err)
            for err in exc.errors(include_url=False)
            if err["type"] != "cross_rule"  # reported below, with its exact place
        ]
        problems += [_located(filename, document, steps, message) for steps, message in cross_rule_problems(plain)]
        problems.sort(key=lambda p: (p.line, p.column))
        raise ScorecardError(_unique(problems)) from None


def _check_size(yaml: YAML, text: str, filename: str) -> None:
    """Refuse, from the YAML events alone (nothing built yet), a document nested too deep, with
    too many values once its aliases are expanded (an alias bomb), an alias inside the node it
    names (a loop), or an integer of too many digits: each at its line and column."""
    starts: list[tuple[str | None, int]] = []  # open collections: their anchor, the count when they began
    sizes: dict[str, int] = {}  # the expanded size of each anchored node
    total = 0

    def refuse(event: Any, message: str) -> ScorecardError:
        return ScorecardError([Problem(filename, event.start_mark.line + 1, event.start_mark.column + 1, "", message)])

    for event in yaml.parse(text):
        before = total
        if isinstance(event, CollectionStartEvent):
            if len(starts) >= MAX_YAML_DEPTH:
                raise refuse(event, f"nested more than {MAX_YAML_DEPTH} levels deep (mappings and lists in one another)")
            starts.append((event.anchor, total))
            continue
        if isinstance(event, CollectionEndEvent):
            anchor, start = starts.pop()
            total += 1
            if anchor:
                sizes[anchor] = total - start
        elif isinstance(event, ScalarEvent):
            total += 1
            if event.anchor:
                sizes[event.anchor] = 1
            digits = len(event.value.lstrip("+-"))
            if event.style is None and digits > MAX_NUMBER_DIGITS and event.value.lstrip("+-").isdigit():
                raise refuse(event, f"a number of {digits} digits is too long: numbers have at most {MAX_NUMBER_DIGITS} digits")
        elif isinstance(event, AliasEvent):
            if any(anchor == event.anchor for anchor, _ in starts):
                raise refuse(event, f"the alias *{event.anchor} refers to itself (it is inside the node &{event.anchor} it names)")
            total += sizes.get(str(event.anchor), 1)
        if total > MAX_YAML_NODES and before <= MAX_YAML_NODES:
            raise refuse(
                event,
                f"too many values: more than {MAX_YAML_NODES:,} (each use of a YAML alias counts as a copy of what it names); "
                "write fewer aliases",
            )


def _check_plain(data: Any, filename: str) -> None:
    """The same limits on Python data: nesting and the number of values (no stack is used)."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    seen = 0
    while stack:
        node, depth = stack.pop()
        seen += 1
        if depth > MAX_YAML_DEPTH or seen > MAX_YAML_NODES:
            what = f"nested more than {MAX_YAML_DEPTH} levels deep" if depth > MAX_YAML_DEPTH else f"more than {MAX_YAML_NODES:,} values"
            raise ScorecardError([Problem(filename, 1, 1, "", f"the scorecard is too large: {what}")])
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list | tuple):
            stack.extend((v, depth + 1) for v in node)


def scorecard_from_dict(data: dict[str, Any], filename: str = "<dict>") -> Scorecard:
    """Validate a scorecard given as Python data (no positions: line and column are 1)."""
    _check_plain(data, filename)
    try:
        return Scorecard.model_validate(data)
    except ValidationError as exc:
        raise ScorecardError([_problem(filename, data, err) for err in exc.errors(include_url=False)]) from None


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k) if not isinstance(k, int | float | bool) else k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _problem(filename: str, document: Any, error: Any) -> Problem:
    node: Any = document
    steps: list[str | int] = []
    line, col = _position(document, None)
    extra_key: str | None = None
    last_tag: str | None = None
    loc = list(error["loc"])
    for i, part in enumerate(loc):
        if part in CONDITION_TAGS:
            last_tag = str(part)
            continue
        if isinstance(node, dict) and part in node:
            line, col = _position(node, part)
            node = node[part]
            steps.append(part)
        elif isinstance(node, dict) and isinstance(part, str) and part.isdigit() and int(part) in node:
            line, col = _position(node, int(part))
            node = node[int(part)]
            steps.append(int(part))
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            line, col = _position(node, part)
            node = node[part]
            steps.append(part)
        elif error["type"] == "extra_forbidden" and i == len(loc) - 1:
            extra_key = str(part)
        # other parts are pydantic's names for union members or value kinds: skip them
    path = _path(steps)
    message = _message(error, steps, extra_key, in_field_condition=last_tag == "field-of")
    return Problem(filename, line, col, path, message)


def _located(filename: str, document: Any, steps: list[str | int], message: str) -> Problem:
    node: Any = document
    line, col = _position(document, None)
    for step in steps:
        if isinstance(node, dict | list):
            line, col = _position(node, step)
            node = node[step]
    return Problem(filename, line, col, _path(steps), message)


def _position(node: Any, key: Any) -> tuple[int, int]:
    try:
        if isinstance(node, CommentedMap):
            if key is None:
                return node.lc.line + 1, node.lc.col + 1
            # point at the value when it has a position of its own, else at the key
            value = node[key]
            if isinstance(value, CommentedMap | CommentedSeq) and value:
                line, col = node.lc.key(key)
            else:
                line, col = node.lc.value(key)
            return line + 1, col + 1
        if isinstance(node, CommentedSeq):
            if key is None:
                return node.lc.line + 1, node.lc.col + 1
            line, col = node.lc.item(key)
            return line + 1, col + 1
    except (KeyError, IndexError, AttributeError, TypeError):
        pass
    return 1, 1


def _path(steps: list[str | int]) -> str:
    out = ""
    for step in steps:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out


def _message(error: Any, steps: list[str | int], extra_key: str | None, *, in_field_condition: bool) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        key = extra_key or (str(steps[-1]) if steps else "?")
        if in_field_condition:
            close = difflib.get_close_matches(key, OPERATORS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            return f"unknown operator {key!r}{hint}: use one of {', '.join(OPERATORS)}"
        allowed = _allowed_keys(steps[:-1] if extra_key is None else steps)
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        listing = f": expected one of {', '.join(allowed)}" if allowed else ""
        return f"unknown key {key!r}{hint}{listing}"
    if kind == "missing":
        return "required: this key is missing"
    if kind == "string_pattern_mismatch" and steps and steps[-1] == "name":
        return f"{error['input']!r} is not a valid name: use lower-case letters, digits and '-'"
    if kind == "string_pattern_mismatch":
        return f"{error['input']!r} is not a grade letter: use one letter, A to Y"
    message = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    if "input" in error and kind not in {"duration", "between_order"} and not isinstance(error["input"], dict | list):
        return f"{message} (got {error['input']!r})"
    return message


def _allowed_keys(steps: list[str | int]) -> list[str]:
    """The keys the model at ``steps`` accepts, found by walking the Scorecard's fields."""
    model: Any = Scorecard
    for step in steps:
        model = _descend(model, step)
        if model is None:
            return []
    model = _unwrap_model(model)
    if model is None:
        return []
    return [info.alias or name for name, info in model.model_fields.items()]


def _descend(annotation: Any, step: str | int) -> Any:
    model = _unwrap_model(annotation)
    if model is not None and isinstance(step, str):
        for name, info in model.model_fields.items():
            if (info.alias or name) == step:
                return info.annotation
        return None
    origin = typing.get_origin(annotation)
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if origin in (list, tuple) and args:
        return args[0]
    if origin is dict and args:
        return args[-1]
    if origin in (typing.Union, types.UnionType) and args:
        for arg in args:
            found = _descend(arg, step)
            if found is not None:
                return found
    return None


def _unwrap_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap_model(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        models = [m for a in typing.get_args(annotation) if (m := _unwrap_model(a)) is not None]
        return models[0] if len(models) == 1 else None
    return None
