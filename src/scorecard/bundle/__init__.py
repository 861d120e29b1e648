"""Serving bundles: ``export`` writes a trained card as files, ``runtime`` scores with them (numpy only).

Importing this package loads only the runtime (standard library + numpy), never the training stack.
"""

from scorecard.bundle.runtime import Bundle, load_bundle

__all__ = ["Bundle", "load_bundle"]
