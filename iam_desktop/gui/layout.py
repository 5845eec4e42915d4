"""Automatic layout: nodes in layers by kind inside their account frames, frames flowed inside their units."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from iam_desktop.gui.creation import NODE_SIZE
from iam_desktop.gui.items.frame import TITLE_HEIGHT
from iam_desktop.model import (
    Account, Entity, Group, ManagedPolicy, OrgUnit, Placement, Resource, Role, ServicePrincipal, User, Workspace,
)

GAP_X = 36.0
GAP_Y = 34.0
PAD = 28.0
FRAME_GAP = 60.0


def _layer(entity: Entity) -> int:
    """Rows from top to bottom: policies, groups, users, roles, services, compute resources, other resources."""
    if isinstance(entity, ManagedPolicy):
        return 0
    if isinstance(entity, Group):
        return 1
    if isinstance(entity, User):
        return 2
    if isinstance(entity, Role):
        return 3
    if isinstance(entity, ServicePrincipal):
        return 4
    if isinstance(entity, Resource) and entity.runs_as is not None:
        return 5
    return 6


@dataclass
class _Block:
    """A laid-out rectangle: its size and the placements inside it, relative to its top-left corner."""

    width: float
    height: float
    placements: dict[str, Placement] = field(default_factory=dict)

    def shifted(self, dx: float, dy: float) -> dict[str, Placement]:
        return {i: Placement(p.x + dx, p.y + dy, p.width, p.height) for i, p in self.placements.items()}


def _node_grid(nodes: list[Entity], top: float, left: float) -> _Block:
    """Nodes in layers (one block of rows per kind), wrapped at a width that keeps the grid roughly square."""
    if not nodes:
        return _Block(0.0, 0.0)
    columns = max(3, min(16, math.ceil(math.sqrt(len(nodes) * 1.2))))
    layers: dict[int, list[Entity]] = {}
    for node in nodes:
        layers.setdefault(_layer(node), []).append(node)
    placements: dict[str, Placement] = {}
    y = top
    used_columns = 0
    for _, members in sorted(layers.items()):
        for index, node in enumerate(members):
            row, column = divmod(index, columns)
            placements[node.id] = Placement(left + column * (NODE_SIZE[0] + GAP_X), y + row * (NODE_SIZE[1] + GAP_Y))
        used_columns = max(used_columns, min(columns, len(members)))
        y += math.ceil(len(members) / columns) * (NODE_SIZE[1] + GAP_Y)
    width = used_columns * (NODE_SIZE[0] + GAP_X) - GAP_X
    return _Block(width, y - top - GAP_Y, placements)


def _flow(blocks: list[tuple[str | None, _Block]], left: float, top: float) -> _Block:
    """Place blocks left to right, wrapping so that the result stays roughly as wide as it is tall."""
    if not blocks:
        return _Block(0.0, 0.0)
    area = sum((b.width + FRAME_GAP) * (b.height + FRAME_GAP) for _, b in blocks)
    limit = max(max(b.width for _, b in blocks), math.sqrt(area) * 1.4)
    placements: dict[str, Placement] = {}
    x, y, row_height, width = left, top, 0.0, 0.0
    for frame_id, block in blocks:
        if x > left and x - left + block.width > limit:
            x, y, row_height = left, y + row_height + FRAME_GAP, 0.0
        placements.update(block.shifted(x, y))
        if frame_id is not None:
            placements[frame_id] = Placement(x, y, block.width, block.height)
        width = max(width, x - left + block.width)
        row_height = max(row_height, block.height)
        x += block.width + FRAME_GAP
    return _Block(width, y + row_height - top, placements)


def compute_layout(workspace: Workspace) -> dict[str, Placement]:
    """A placement for every entity: frames sized to hold their contents, nothing overlapping.

    Accounts hold their users, groups, roles, customer policies and resources in layers; organization units
    hold their accounts and child units; everything outside any account (services, SCPs/RCPs, AWS managed
    policies) forms a block of its own at the top left.
    """
    entities = workspace.entities
    nodes_of: dict[str | None, list[Entity]] = {}
    frames_of: dict[str | None, list[Entity]] = {}
    for entity in entities.values():
        if isinstance(entity, (Account, OrgUnit)):
            parent = entity.parent if entity.parent in entities else None
            frames_of.setdefault(parent, []).append(entity)
        else:
            owner = getattr(entity, "account", None)
            nodes_of.setdefault(owner if owner in entities else None, []).append(entity)

    def frame_block(frame: Entity, depth: int) -> _Block:
        inner_top = TITLE_HEIGHT + PAD * 0.8
        grid = _node_grid(nodes_of.get(frame.id, []), inner_top, PAD)
        nested = frames_of.get(frame.id, []) if depth <= 50 else []
        children = [(child.id, frame_block(child, depth + 1)) for child in nested]
        below = inner_top + (grid.height + FRAME_GAP if grid.placements else 0.0)
        flow = _flow(children, PAD, below)
        width = max(grid.width, flow.width, 260.0) + 2 * PAD
        height = (below + flow.height if children else inner_top + grid.height) + PAD
        return _Block(width, height, {**grid.placements, **flow.placements})

    loose = _node_grid(nodes_of.get(None, []), 0.0, 0.0)
    blocks: list[tuple[str | None, _Block]] = [(None, loose)] if loose.placements else []
    blocks += [(frame.id, frame_block(frame, 0)) for frame in frames_of.get(None, [])]
    return _flow(blocks, 0.0, 0.0).placements
