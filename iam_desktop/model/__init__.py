"""The access model: entities, their edges and the Workspace that holds them (pure Python, no Qt)."""

from iam_desktop.model.entities import (
    Account, Entity, EntityKind, Group, InlinePolicy, ManagedPolicy, OrgUnit, Placement, PolicyType, Resource,
    Role, ServicePrincipal, User,
)
from iam_desktop.model.errors import (
    DanglingReferenceError, DuplicateIdError, InvalidEdgeError, InvalidEntityError, ModelError, UnknownEntityError,
)
from iam_desktop.model.workspace import Change, ChangeKind, Removal, Workspace

__all__ = [
    "Account", "Change", "ChangeKind", "DanglingReferenceError", "DuplicateIdError", "Entity", "EntityKind",
    "Group", "InlinePolicy", "InvalidEdgeError", "InvalidEntityError", "ManagedPolicy", "ModelError", "OrgUnit",
    "Placement", "PolicyType", "Removal", "Resource", "Role", "ServicePrincipal", "UnknownEntityError", "User",
    "Workspace",
]
