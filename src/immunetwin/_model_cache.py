"""Compiled models kept on disk: each model is compiled once per machine, not once per process.

libRoadRunner compiles a model's SBML to machine code with LLVM: ~9 s for a disease model
with its drugs (108 species, 261 reactions), against ~0.1 s to load the compiled model
back from a saved state (``RoadRunner.saveState``/``loadState``). Every worker process of
a population or trial compiles each model it solves, and so does every new command;
a test run compiled 98 disease-sized models, 42 of them distinct (2026-12-06). The
cache saves each compiled model the first time and loads it afterwards.

A loaded model integrates bit-identically to a fresh compilation (its piecewise
root-finding triggers included: ``tests/test_model_cache.py``), so caching changes no
result. Entries are keyed by the SBML text, the libRoadRunner version and JIT backend,
the machine architecture and the Python version, and written atomically; concurrent
processes that need the same model wait for the first to compile it (a file lock)
instead of compiling it again. An entry that cannot be loaded is compiled afresh and
replaced (entries carry a SHA-256 digest of the state, checked before libRoadRunner
reads it). The least recently used entries beyond :data:`MAX_ENTRIES` are removed.

Where: ``$IMMUNETWIN_MODEL_CACHE`` if set (``off`` disables the cache), otherwise
``$XDG_CACHE_HOME/immunetwin/models`` (default ``~/.cache/immunetwin/models``). A cache
folder that cannot be created or written only costs the compile time.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import platform
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import roadrunner

from immunetwin._io import atomic_write

__all__ = [
    "CACHE_ENV",
    "MAX_ENTRIES",
    "cache_dir",
    "cache_entries",
    "clear_cache",
    "load_or_compile",
]

LOGGER = logging.getLogger(__name__)

CACHE_ENV = "IMMUNETWIN_MODEL_CACHE"
_OFF = frozenset({"off", "0", "no", "false", "none"})
# ~2.7 MB per disease model: 64 entries stay under ~200 MB.
MAX_ENTRIES = 64
# Bump when the way entries are written changes: old entries are then never read.
_FORMAT = 1
_SUFFIX = ".rrstate"
_MAGIC = b"immunetwin-compiled-model"


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off (``IMMUNETWIN_MODEL_CACHE=off``)."""
    value = os.environ.get(CACHE_ENV)
    if value is not None:  # empty, "off", "0", "no", "false" or "none": no cache
        if value.strip().lower() in _OFF or not value.strip():
            return None
        return Path(value).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "immunetwin" / "models"


def _key(sbml: str) -> str:
    config = roadrunner.Config
    backend = config.getValue(config.LLVM_BACKEND)
    level = config.getValue(config.LLJIT_OPTIMIZATION_LEVEL)
    header = (
        f"{_FORMAT}|{roadrunner.__version__}|{backend}|{level}|{platform.machine()}|"
        f"{sys.version_info.major}.{sys.version_info.minor}|"
    )
    return hashlib.sha256((header + sbml).encode()).hexdigest()


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """An exclusive lock on ``path`` between processes (none where fcntl is missing)."""
    try:
        import fcntl
    except ImportError:  # Windows: concurrent first compilations just both compile
        yield
        return
    with open(path, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _load(path: Path) -> roadrunner.RoadRunner | None:
    """The model saved at ``path``, or None (and the entry removed) if it is not sound.

    The digest is checked before libRoadRunner sees the state: loading a damaged
    state aborts the process (an unresolved JIT symbol) rather than raising.
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as err:  # unreadable here: compile (and perhaps fail to save) instead
        LOGGER.info("compiled-model cache entry %s not readable (%s)", path, err)
        return None
    state = _verified(data)
    if state is None:
        LOGGER.warning("compiled-model cache entry %s is damaged: recompiling", path)
        path.unlink(missing_ok=True)
        return None
    rr = roadrunner.RoadRunner()
    try:
        with tempfile.TemporaryDirectory(prefix="immunetwin-state-") as folder:
            raw = Path(folder) / "model.rrstate"
            raw.write_bytes(state)
            rr.loadState(str(raw))
    except RuntimeError as err:
        LOGGER.warning("compiled-model cache entry %s unreadable (%s): recompiling", path, err)
        path.unlink(missing_ok=True)
        return None
    except OSError as err:  # no room for the temporary copy
        LOGGER.info("compiled-model cache entry %s not loaded (%s)", path, err)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # least recently used goes first
    return rr


def _verified(data: bytes) -> bytes | None:
    """The state inside a cache entry, if its header and digest hold."""
    head, _, state = data.partition(b"\n")
    magic, _, digest = head.partition(b" ")
    if magic != _MAGIC or digest.decode("ascii", "replace") != hashlib.sha256(state).hexdigest():
        return None
    return state


def _save(path: Path, rr: roadrunner.RoadRunner) -> None:
    with tempfile.TemporaryDirectory(prefix="immunetwin-state-") as folder:
        raw = Path(folder) / "model.rrstate"
        rr.saveState(str(raw))
        state = raw.read_bytes()
    header = _MAGIC + b" " + hashlib.sha256(state).hexdigest().encode("ascii") + b"\n"
    atomic_write(path, lambda tmp: tmp.write_bytes(header + state))


def _entries(folder: Path) -> list[Path]:
    """The entries in ``folder``, most recently used first."""
    dated = []
    for entry in folder.glob(f"*{_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):  # another process removed it meanwhile
            dated.append((entry.stat().st_mtime, entry))
    return [entry for _, entry in sorted(dated, reverse=True)]


def _remove(entries: list[Path]) -> None:
    for entry in entries:
        entry.unlink(missing_ok=True)
        entry.with_suffix(".lock").unlink(missing_ok=True)


def _prune(folder: Path) -> None:
    """Remove all but the :data:`MAX_ENTRIES` most recently used entries."""
    _remove(_entries(folder)[MAX_ENTRIES:])


def load_or_compile(
    sbml: str, compile_model: Callable[[str], roadrunner.RoadRunner]
) -> roadrunner.RoadRunner:
    """The compiled model of ``sbml``: loaded from the cache, or compiled and then saved.

    Args:
        sbml: The model's SBML text.
        compile_model: Compiles the SBML (its errors propagate; nothing is cached).
    """
    folder = cache_dir()
    if folder is None:
        return compile_model(sbml)
    with contextlib.ExitStack() as stack:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            key = _key(sbml)
            stack.enter_context(_locked(folder / f"{key}.lock"))
        except OSError as err:
            LOGGER.info("compiled-model cache %s unusable (%s): compiling", folder, err)
            return compile_model(sbml)
        path = folder / f"{key}{_SUFFIX}"
        cached = _load(path)
        if cached is not None:
            return cached
        rr = compile_model(sbml)
        try:
            _save(path, rr)
            _prune(folder)
        except (OSError, RuntimeError) as err:
            LOGGER.info("compiled model not cached in %s (%s)", folder, err)
        return rr


def cache_entries() -> list[Path]:
    """The cached compiled models, most recently used first (none when the cache is off)."""
    folder = cache_dir()
    if folder is None or not folder.is_dir():
        return []
    return _entries(folder)


def clear_cache() -> int:
    """Remove every cached compiled model; returns how many were removed."""
    entries = cache_entries()
    _remove(entries)
    return len(entries)
