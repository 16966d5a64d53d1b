"""scipy's k-d tree and Delaunay triangulation, without loading the rest of ``scipy.spatial``.

``import scipy.spatial`` runs the package's ``__init__``, which also loads ``scipy.special``, the
distance functions, rotations and more that the coverage engine never calls: about 0.15-0.2 s of
the ``pinpoint coverage`` command's start on a 2-core machine. The two compiled modules the engine
uses (``scipy.spatial._ckdtree``, ``scipy.spatial._qhull``) are loaded from their files instead;
their own imports (numpy, ``scipy.sparse``, LAPACK) run as usual. They are registered under their
own names, so a later ``import scipy.spatial`` reuses them and ``scipy.spatial.cKDTree`` is the
same class. When ``scipy.spatial`` is already loaded, or anything about the files is not as
expected, the package is imported the ordinary way.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

import scipy

__all__ = ["Delaunay", "QhullError", "cKDTree"]


def _extension(name: str) -> ModuleType:
    """Load the compiled module ``name`` (``scipy.spatial.<leaf>``) from its file, once."""
    loaded = sys.modules.get(name)
    if loaded is not None:
        return loaded
    leaf = name.rsplit(".", 1)[1]
    folder = Path(scipy.__file__).parent / "spatial"
    files = [folder / (leaf + suffix) for suffix in importlib.machinery.EXTENSION_SUFFIXES]
    path = next((f for f in files if f.is_file()), None)
    spec = None if path is None else importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        msg = f"no compiled {name} beside scipy"
        raise ImportError(msg)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _load() -> tuple[Any, Any, Any]:
    if "scipy.spatial" not in sys.modules:
        try:
            tree, hull = _extension("scipy.spatial._ckdtree"), _extension("scipy.spatial._qhull")
            return tree.cKDTree, hull.Delaunay, hull.QhullError
        except (ImportError, AttributeError, OSError):
            pass
    import scipy.spatial  # noqa: PLC0415 - only when the compiled modules could not be loaded alone

    return scipy.spatial.cKDTree, scipy.spatial.Delaunay, scipy.spatial.QhullError


if TYPE_CHECKING:
    from scipy.spatial import Delaunay, QhullError, cKDTree
else:
    cKDTree, Delaunay, QhullError = _load()  # noqa: N816 - scipy's names
