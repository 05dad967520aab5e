"""Files written whole or not at all: a temporary file next to the target, then a rename.

The one atomic writer of the package (scores, reports, learned scorecards). It never
changes the process umask (safe in a threaded server): the umask is read from
``/proc/self/status`` where the system has it.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from leadscore.errors import InputError
from leadscore.io.formats import file_format

DEFAULT_UMASK = 0o022


def check_writable(path: Path) -> None:
    """Fail before any work when ``path`` cannot be written (no folder, or a folder in its place)."""
    parent = path.parent if str(path.parent) else Path(".")
    if not parent.is_dir():
        raise InputError(f"{path}: the folder {str(parent)!r} does not exist")
    if path.is_dir():
        raise InputError(f"{path}: is a directory")
    if not os.access(parent, os.W_OK):
        raise InputError(f"{path}: cannot write in the folder {str(parent)!r}: permission denied")


def check_output_file(path: Path) -> None:
    """Fail before any work when ``path`` is not a CSV, Parquet or JSON Lines file that can be written."""
    file_format(path)
    check_writable(path)


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one file (however spelled: relative, ``..``, a symbolic link)."""
    first, second = Path(a), Path(b)
    try:
        if first.exists() and second.exists():
            return os.path.samefile(first, second)
    except OSError:
        pass
    return first.resolve() == second.resolve()


def temporary_sibling(path: Path) -> Path:
    """A fresh temporary file next to ``path`` (same file system, so a rename is atomic).

    Its name carries the process id, ``.NAME.leadscore-PID-RANDOM.tmp``, so that the
    temporaries of a run that was killed (and could not clean up) are found and removed by
    the next run that writes ``path`` (``remove_stale_temporaries``).
    """
    parent = path.parent if str(path.parent) else Path(".")
    remove_stale_temporaries(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.leadscore-{os.getpid()}-", suffix=".tmp", dir=parent)
    except OSError as exc:
        raise InputError(f"{path}: cannot write it: {exc.strerror or exc}") from exc
    os.close(fd)
    return Path(name)


def remove_stale_temporaries(path: Path) -> None:
    """Remove the temporaries of ``path`` left by runs whose process no longer exists."""
    parent = path.parent if str(path.parent) else Path(".")
    prefix = f".{path.name}.leadscore-"
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            if not (entry.name.startswith(prefix) and entry.name.endswith(".tmp")):
                continue
            pid = entry.name[len(prefix):].split("-", 1)[0]
            if pid.isdigit() and not _alive(int(pid)):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # another user's process, or we cannot tell: keep its files
    return True


def atomic_write(path: str | Path, produce: Callable[[Path], None]) -> None:
    """Call ``produce(tmp)`` and move ``tmp`` onto ``path`` only if it succeeded.

    The file gets the permissions a new file normally gets (0666 less the umask), not the
    private ones of a temporary file.
    """
    atomic_write_all([Path(path)], lambda temporaries: produce(temporaries[0]))


def atomic_write_all(paths: list[Path], produce: Callable[[list[Path]], None]) -> None:
    """Write several files all or none: ``produce`` fills one temporary per path, then each is
    renamed onto its path, only once every one of them was written."""
    for path in paths:
        check_writable(path)
    temporaries: list[Path] = []
    try:
        for path in paths:
            temporaries.append(temporary_sibling(path))
        produce(temporaries)
        mode = 0o666 & ~process_umask()
        for tmp, path in zip(temporaries, paths, strict=True):
            os.chmod(tmp, mode)
            try:
                os.replace(tmp, path)
            except OSError as exc:
                raise InputError(f"{path}: cannot write it: {exc.strerror or exc}") from exc
    finally:
        for tmp in temporaries:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()


def write_text(path: str | Path, text: str) -> None:
    """Write a UTF-8 text file atomically."""
    atomic_write(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def process_umask() -> int:
    """The process umask, read without changing it (``os.umask`` would race other threads)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    return DEFAULT_UMASK
