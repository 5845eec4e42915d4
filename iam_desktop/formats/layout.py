"""Deterministic automatic layout: organization units and accounts as nested frames holding their entities.

Services sit in a row on top; below them the organization units (frames holding their child units and
accounts) and the accounts outside any unit (frames holding their users, groups, roles, customer-managed
policies and resources, one kind per row); entities outside any account (AWS-managed policies, SCPs, RCPs)
form a block to the right, so that edges from them do not cross the frames' contents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence

from iam_desktop.model import Account, Entity, EntityKind, OrgUnit, Placement

NODE_WIDTH = 160.0
NODE_HEIGHT = 60.0
GAP_X = 40.0
GAP_Y = 40.0
FRAME_PADDING = 40.0
FRAME_HEADER = 40.0
COLUMNS = 6
ROW_WIDTH_LIMIT = 2200.0
"""Frames side by side start a new row beyond this width."""

_ACCOUNT_ROWS = (EntityKind.USER, EntityKind.GROUP, EntityKind.ROLE, EntityKind.MANAGED_POLICY, EntityKind.RESOURCE)


@dataclass
class _Block:
    """A rectangle to place: its size, and how to place its content once its top-left corner is known."""

    width: float
    height: float
    place: Callable[[float, float, dict[str, Placement]], None] = field(repr=False)


def _grid(nodes: Sequence[Entity], rows_by_kind: bool) -> _Block:
    """Nodes in rows of at most ``COLUMNS`` (a new row for each kind when ``rows_by_kind``)."""
    kinds = _ACCOUNT_ROWS if rows_by_kind else (None,)
    rows = [chunk for kind in kinds for chunk in _chunks([n for n in nodes if kind is None or n.kind is kind])]

    def place(x: float, y: float, result: dict[str, Placement]) -> None:
        for row_index, row in enumerate(rows):
            for column, entity in enumerate(row):
                result[entity.id] = Placement(x + column * (NODE_WIDTH + GAP_X),
                                              y + row_index * (NODE_HEIGHT + GAP_Y))

    columns = max((len(row) for row in rows), default=0)
    return _Block(max(columns * (NODE_WIDTH + GAP_X) - GAP_X, 0.0),
                  max(len(rows) * (NODE_HEIGHT + GAP_Y) - GAP_Y, 0.0), place)


def _chunks(items: Sequence[Entity]) -> list[Sequence[Entity]]:
    return [items[start:start + COLUMNS] for start in range(0, len(items), COLUMNS)]


def _flow(blocks: Sequence[_Block]) -> _Block:
    """Blocks left to right, wrapping into a new row beyond ``ROW_WIDTH_LIMIT``."""
    positions: list[tuple[float, float]] = []
    x = y = row_height = width = 0.0
    for block in blocks:
        if x > 0 and x + block.width > ROW_WIDTH_LIMIT:
            x, y, row_height = 0.0, y + row_height + GAP_Y, 0.0
        positions.append((x, y))
        width = max(width, x + block.width)
        x += block.width + 2 * GAP_X
        row_height = max(row_height, block.height)

    def place(left: float, top: float, result: dict[str, Placement]) -> None:
        for block, (dx, dy) in zip(blocks, positions):
            block.place(left + dx, top + dy, result)

    return _Block(width, y + row_height, place)


def _frame(entity_id: str, inner: _Block) -> _Block:
    """A frame around ``inner`` with a title bar and padding (at least one node in size)."""
    width = 2 * FRAME_PADDING + max(inner.width, NODE_WIDTH)
    height = FRAME_HEADER + 2 * FRAME_PADDING + max(inner.height, NODE_HEIGHT)

    def place(x: float, y: float, result: dict[str, Placement]) -> None:
        result[entity_id] = Placement(x, y, width, height)
        inner.place(x + FRAME_PADDING, y + FRAME_HEADER + FRAME_PADDING, result)

    return _Block(width, height, place)


def auto_layout(entities: Sequence[Entity], origin_y: float = 0.0) -> dict[str, Placement]:
    """Placements for ``entities``, from the top-left corner (0, ``origin_y``) downwards.

    Entities of accounts not in ``entities`` get an unframed block of the same shape as an account's content.
    The result depends only on the entities and their order.
    """
    ids = {e.id for e in entities}
    members: dict[str | None, list[Entity]] = {}
    for entity in entities:
        owner = getattr(entity, "parent", None) if isinstance(entity, (OrgUnit, Account)) else \
            getattr(entity, "account", None)
        members.setdefault(owner if owner in ids else None, []).append(entity)

    def block_of(entity: Entity) -> _Block:
        inside = members.get(entity.id, [])
        if isinstance(entity, OrgUnit):
            return _frame(entity.id, _flow([block_of(child) for child in inside
                                            if isinstance(child, (OrgUnit, Account))]))
        return _frame(entity.id, _grid(inside, rows_by_kind=True))

    top = members.get(None, [])
    services = _grid([e for e in top if e.kind is EntityKind.SERVICE], rows_by_kind=False)
    frames = [block_of(e) for e in top if isinstance(e, (OrgUnit, Account))]
    orphans: dict[str, list[Entity]] = {}
    for entity in entities:
        owner = getattr(entity, "account", None)
        if owner is not None and owner not in ids and not isinstance(entity, (OrgUnit, Account)):
            orphans.setdefault(owner, []).append(entity)
    frames += [_grid(group, rows_by_kind=True) for group in orphans.values()]
    region = _flow(frames)
    outside = _grid([e for e in top if e.kind is EntityKind.MANAGED_POLICY and getattr(e, "account", None) is None],
                    rows_by_kind=False)
    result: dict[str, Placement] = {}
    services.place(0.0, origin_y, result)
    body_y = origin_y + (services.height + 2 * GAP_Y if services.height else 0.0)
    region.place(0.0, body_y, result)
    outside.place(region.width + 3 * GAP_X if region.width else 0.0, body_y, result)
    return result


def bottom_of(placements: Iterable[Placement]) -> float:
    """The y just below the lowest placed node or frame (0 when nothing is placed), plus a gap."""
    bottoms = [p.y + (p.height if p.height is not None else NODE_HEIGHT) for p in placements]
    return max(bottoms) + GAP_Y * 2 if bottoms else 0.0
