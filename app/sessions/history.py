"""How a long history is kept within its cap: the ends stay, recent epochs stay dense."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")


def thinned(items: list[T], cap: int) -> list[T]:
    """Past `cap`, drop every second item of the older half, again until within it.

    The first item (epoch 0) and the newest half survive each round, so the curve keeps its
    shape while its older part grows coarser; a single call's rows and the stored ones obey
    the same cap.
    """
    while len(items) > cap:
        half = len(items) // 2
        items = items[:half:2] + items[half:]
    return items
