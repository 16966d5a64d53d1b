"""scipy's k-d tree and Delaunay triangulation, without loading the rest of ``scipy.spatial``.

``import scipy.spatial`` runs the package's ``__init__``, which also loads ``scipy.special``, the
distance functions, rotations and more that the coverage engine never calls: about 0.15-0.2 s of
the ``pinpoint coverage`` command's start on a 2-core machine. The two compiled modules the engine
uses (``scipy.spatial._ckdtree``, ``scipy.spatial._qhull``) are loaded from their files instead.
They are registered under their own names, so a later ``import scipy.spatial`` reuses them and
``scipy.spatial.cKDTree`` is the same class.

Their own imports cost as much again, for names the engine never reaches:

* ``_qhull`` takes its LAPACK routines from ``scipy.linalg.cython_lapack``, whose package
  ``__init__`` loads all of ``scipy.linalg`` (about 70 ms); the compiled module itself needs
  nothing but numpy, so it is loaded from its file the same way;
* ``_ckdtree`` runs ``import scipy.sparse`` (used only when ``sparse_distance_matrix`` is asked for
  a sparse matrix) and ``from scipy._lib._util import copy_if_needed``; ``scipy._lib._util`` loads
  the array-API layer, which runs ``from numpy import *`` and with it ``numpy.f2py``, ``numpy.ma``,
  ``numpy.testing`` and more (about 0.1-0.2 s with ``scipy.sparse``). While ``_ckdtree`` loads,
  both names stand in ``sys.modules`` as :class:`_StandIn` modules: ``scipy.sparse`` empty (the
  extension binds only the name ``scipy``, and reads ``scipy.sparse`` when it builds a sparse
  matrix, which then imports the real package), ``scipy._lib._util`` with the one value the
  extension copies, ``copy_if_needed``: ``None`` under numpy 2, by scipy's own rule (a test compares
  it with scipy's). They are removed as soon as the extension is loaded; another thread that
  caught one in between gets the real module's attributes from it (it waits for the load to end).

When ``scipy.spatial`` is already loaded, or anything about the files is not as expected, the
package is imported the ordinary way; each shortcut is skipped when the module it avoids is
already loaded (then nothing is saved by it).
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
import threading
from collections.abc import Mapping
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np
import scipy

__all__ = ["Delaunay", "QhullError", "cKDTree"]


class _StandIn(ModuleType):
    """Stands for module ``__name__`` in ``sys.modules`` while a compiled module imports it.

    It holds only the values given. Any other attribute is the real module's (imported then): read
    by the loading thread while the stand-in is in place, it is missing (an ``AttributeError``, so
    the extension's import fails and the ordinary import follows); read by another thread in that
    time, it waits until the extension is loaded and the stand-in has left ``sys.modules``.
    """

    def __init__(self, name: str, values: Mapping[str, Any]) -> None:
        super().__init__(name)
        self.__dict__.update(values)
        self._pinpoint_loader = threading.get_ident()
        self._pinpoint_gone = threading.Event()

    def __getattr__(self, attribute: str) -> Any:
        standing = sys.modules.get(self.__name__) is self
        if attribute.startswith("__") or (
            standing
            and (threading.get_ident() == self._pinpoint_loader or not self._pinpoint_gone.wait(_WAIT_S))
        ):
            msg = f"{self.__name__} is not loaded yet: no attribute {attribute!r}"
            raise AttributeError(msg)
        return getattr(importlib.import_module(self.__name__), attribute)


_WAIT_S = 30.0
"""Longest another thread waits for a stand-in to leave ``sys.modules`` (the load takes milliseconds)."""


def _stand_ins() -> dict[str, Mapping[str, Any]]:
    """What ``_ckdtree``'s own imports take from modules it would otherwise load (none under numpy 1)."""
    if int(np.__version__.split(".", 1)[0]) < 2:  # copy_if_needed is not None: the ordinary import
        return {}
    return {"scipy.sparse": {}, "scipy._lib._util": {"copy_if_needed": None}}


def _extension(name: str, stand_ins: Mapping[str, Mapping[str, Any]] | None = None) -> ModuleType:
    """Load the compiled module ``name`` (``scipy.<package>.<leaf>``) from its file, once.

    ``stand_ins`` maps modules to the values the extension imports from them; each one not yet
    loaded stands in ``sys.modules`` while the extension's code runs.
    """
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    *package, leaf = name.split(".")[1:]
    folder = Path(scipy.__file__).parent.joinpath(*package)
    files = [folder / (leaf + suffix) for suffix in importlib.machinery.EXTENSION_SUFFIXES]
    path = next((f for f in files if f.is_file()), None)
    spec = None if path is None else importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        msg = f"no compiled {name} beside scipy"
        raise ImportError(msg)
    module = importlib.util.module_from_spec(spec)
    standing = [_StandIn(other, values) for other, values in (stand_ins or {}).items() if other not in sys.modules]
    for stand_in in standing:
        sys.modules[stand_in.__name__] = stand_in
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    finally:
        for stand_in in standing:
            del sys.modules[stand_in.__name__]
            stand_in._pinpoint_gone.set()
    return module


def _load() -> tuple[Any, Any, Any]:
    if "scipy.spatial" not in sys.modules:
        try:
            tree = _extension("scipy.spatial._ckdtree", _stand_ins())
            if "scipy.linalg" not in sys.modules:
                _extension("scipy.linalg.cython_lapack")
            hull = _extension("scipy.spatial._qhull")
            return tree.cKDTree, hull.Delaunay, hull.QhullError
        except (ImportError, AttributeError, OSError):
            pass
    import scipy.spatial  # noqa: PLC0415 - only when the compiled modules could not be loaded alone

    return scipy.spatial.cKDTree, scipy.spatial.Delaunay, scipy.spatial.QhullError


if TYPE_CHECKING:
    from scipy.spatial import Delaunay, QhullError, cKDTree
else:
    cKDTree, Delaunay, QhullError = _load()  # noqa: N816 - scipy's names
