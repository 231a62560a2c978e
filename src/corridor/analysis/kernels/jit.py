"""numba, loaded only when an input is large enough to need it.

Importing numba and loading its compiled kernels costs about a second per process, far more than
a whole analysis of a scenario's few hundred roads takes in plain Python. So each kernel is a
:class:`Kernel`: called on small arrays (all array arguments together below :data:`SMALL`
elements) before anything was compiled, it runs its own Python source, the very code numba
would compile; the first call on larger arrays imports numba, makes every kernel a compiled
dispatcher (``cache=True``: machine code kept on disk, compiled once per machine), and from then
on every call in the process runs compiled, without Python's lock (``nogil``: threads run
kernels side by side, :mod:`corridor.analysis.parallel`). Both run the same code on the same numpy types, and
the tests compare their answers.

``CORRIDOR_KERNELS`` chooses: ``auto`` (the default, as above), ``compiled`` (always numba) or
``python`` (never numba; slow on large networks, for debugging).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from corridor.errors import SettingError

SMALL = 8192
"""Array elements (over all array arguments of one call) below which a kernel runs as Python."""

MODES = ("auto", "compiled", "python")

_on_compile: Callable[[], None] | None = None

_KERNELS: list[Kernel] = []
_compiled = False


def notify_before_compiling(callback: Callable[[], None] | None) -> None:
    """Have ``callback`` called once, just before numba compiles a kernel that has no machine
    code on disk yet (a first run on a machine: several seconds); the CLI says so on stderr."""
    global _on_compile
    _on_compile = callback


def _notify() -> None:
    global _on_compile
    callback, _on_compile = _on_compile, None  # once per process
    if callback is not None:
        callback()


def mode() -> str:
    """The kernel mode from ``CORRIDOR_KERNELS`` (``auto`` when unset)."""
    value = os.environ.get("CORRIDOR_KERNELS", "auto").strip().lower() or "auto"
    if value not in MODES:
        msg = f"CORRIDOR_KERNELS={value!r}: expected one of {', '.join(MODES)} (unset: auto)"
        raise SettingError(msg)
    return value


def _size(args: tuple[Any, ...]) -> int:
    return sum(a.size for a in args if isinstance(a, np.ndarray))


class Kernel:
    """A graph kernel: plain Python on small inputs until numba is needed, compiled after."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.py_func = fn
        self.dispatcher: Any = None
        self.__name__ = fn.__name__
        self.__qualname__ = fn.__qualname__
        self.__module__ = fn.__module__
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    def __call__(self, *args: Any) -> Any:
        if not _compiled:
            m = mode()
            if m == "python" or (m == "auto" and _size(args) < SMALL):
                return self.py_func(*args)
            compile_all()
        d = self.dispatcher
        if not d.signatures and _on_compile is not None and _cache_usable(d) is False:
            _notify()  # its first call here compiles it: no machine code on disk yet
        return d(*args)

    def __repr__(self) -> str:
        state = "compiled" if self.dispatcher is not None else "python"
        return f"<corridor kernel {self.__module__}.{self.__name__} ({state})>"


def kernel(fn: Callable[..., Any]) -> Kernel:
    """Declare a graph kernel (see the module docstring)."""
    k = Kernel(fn)
    _KERNELS.append(k)
    return k


def compile_all() -> None:
    """Make every kernel a numba dispatcher (compiled on first call, or loaded from the cache).

    Kernels call each other by global name, and compiled code can only call compiled code, so
    every kernel module's globals that hold a :class:`Kernel` are pointed at its dispatcher.
    """
    global _compiled
    if _compiled:
        return
    from numba import njit

    for k in _KERNELS:
        k.dispatcher = njit(cache=True, nogil=True)(k.py_func)
    modules = {k.__module__ for k in _KERNELS}
    for name in modules:
        g = vars(sys.modules[name])
        for attr, value in list(g.items()):
            if isinstance(value, Kernel):
                g[attr] = value.dispatcher
    _compiled = True


def is_compiled() -> bool:
    """Whether this process runs the kernels compiled."""
    return _compiled


def _cache_usable(dispatcher: Any) -> bool | None:
    """Whether a numba dispatcher has a usable on-disk cache index; None if it caches nothing."""
    # numba's own reader (IndexDataCacheFile._load_index) returns {} when the index is absent,
    # written by another numba or for other source; a dispatcher without one caches nothing
    # this check can see (a private API: any surprise means "cannot tell")
    index = getattr(getattr(dispatcher, "_cache", None), "_cache_file", None)
    load = getattr(index, "_load_index", None)
    if load is None:
        return None
    try:
        return bool(load())
    except Exception:  # an unreadable index: numba will compile and rewrite it
        return False
