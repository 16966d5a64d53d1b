"""Pinpoint: plans, guides and follows up micro-needle skin treatments.

Layers, imports pointing down only: :mod:`pinpoint.evidence` (sourced data),
:mod:`pinpoint.core` (pure clinical logic), interfaces (:mod:`pinpoint.cli`, the web app).
"""

__all__ = ["__version__"]

__version__ = "0.1.0"
