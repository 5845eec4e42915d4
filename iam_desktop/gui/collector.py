"""Keeps the cyclic garbage collector's full walks off the objects of a big model while the canvas shows it."""

from __future__ import annotations

import gc

_sparing = False


def spare_long_lived() -> None:
    """Move every object alive now out of the collector's walks (``gc.freeze``).

    A full collection walks every tracked object: with a big model open (millions of them) it paused the canvas
    for 0.3-0.5 s at random frames. Call it once the model and its items are built, on the GUI thread.
    """
    global _sparing
    gc.freeze()
    _sparing = True


def release_long_lived() -> None:
    """Give the spared objects back to the collector and collect now, on this (the GUI) thread, before the
    model they belong to is replaced: garbage among them must not be collected later on a worker thread, where
    destroying Qt objects is not allowed."""
    global _sparing
    if _sparing:
        _sparing = False
        gc.unfreeze()
        gc.collect()
