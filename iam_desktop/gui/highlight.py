"""What the canvas shows emphasised: nodes and edges of an answer, their labels, badges and overlay colours."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping


@dataclass(frozen=True)
class Highlight:
    """A set of nodes and edges to make stand out on the canvas.

    Parameters
    ----------
    node_ids
        Entity ids drawn emphasised.
    edge_keys
        ``Edge.key`` values drawn thicker.
    edge_labels
        Text written along an edge, by edge key (e.g. "1. sts:AssumeRole").
    node_badges
        Short text shown in a badge on a node, by entity id (e.g. "ALLOW", "1").
    node_colors
        Overlay tint per entity id: ``"allow"`` (green) or ``"deny"`` (red).
    dim_others
        Fade everything not named above.
    """

    node_ids: frozenset[str] = frozenset()
    edge_keys: frozenset[str] = frozenset()
    edge_labels: Mapping[str, str] = field(default_factory=dict)
    node_badges: Mapping[str, str] = field(default_factory=dict)
    node_colors: Mapping[str, str] = field(default_factory=dict)
    dim_others: bool = True

    def covers_node(self, entity_id: str) -> bool:
        """True when the node is emphasised, badged or tinted by this highlight."""
        return entity_id in self.node_ids or entity_id in self.node_badges or entity_id in self.node_colors

    def covers_edge(self, edge_key: str) -> bool:
        """True when the edge is emphasised or labelled by this highlight."""
        return edge_key in self.edge_keys or edge_key in self.edge_labels
