"""Export a Workspace's IAM content in the shape of ``aws iam get-account-authorization-details`` output."""

from __future__ import annotations

from typing import Any

from iam_desktop.formats.aws_common import tags_to_aws
from iam_desktop.formats.entity_codec import plain_json
from iam_desktop.model import Group, InlinePolicy, ManagedPolicy, PolicyType, Role, User, Workspace


def _inline(policies: tuple[InlinePolicy, ...]) -> list[dict[str, Any]]:
    return [{"PolicyName": p.name, "PolicyDocument": plain_json(p.document)} for p in policies]


def _attached(ws: Workspace, ids: tuple[str, ...]) -> list[dict[str, str]]:
    return [{"PolicyName": ws.get(i).name, "PolicyArn": ws.arn_of(i)} for i in ids]


def _boundary(ws: Workspace, policy_id: str | None) -> dict[str, Any]:
    if policy_id is None:
        return {}
    return {"PermissionsBoundary": {"PermissionsBoundaryType": "Policy",
                                    "PermissionsBoundaryArn": ws.arn_of(policy_id)}}


def _user(ws: Workspace, user: User) -> dict[str, Any]:
    return {"Path": user.path, "UserName": user.name, **({"UserId": user.user_id} if user.user_id else {}),
            "Arn": ws.arn_of(user.id), "UserPolicyList": _inline(user.inline_policies),
            "GroupList": [ws.get(g).name for g in user.groups],
            "AttachedManagedPolicies": _attached(ws, user.managed_policies),
            **_boundary(ws, user.permission_boundary), "Tags": tags_to_aws(user.tags)}


def _group(ws: Workspace, group: Group) -> dict[str, Any]:
    return {"Path": group.path, "GroupName": group.name, "Arn": ws.arn_of(group.id),
            "GroupPolicyList": _inline(group.inline_policies),
            "AttachedManagedPolicies": _attached(ws, group.managed_policies)}


def _role(ws: Workspace, role: Role) -> dict[str, Any]:
    return {"Path": role.path, "RoleName": role.name, **({"RoleId": role.role_id} if role.role_id else {}),
            "Arn": ws.arn_of(role.id), "AssumeRolePolicyDocument": plain_json(role.trust_policy),
            "Description": role.description, "MaxSessionDuration": role.max_session_duration,
            "InstanceProfileList": [], "RolePolicyList": _inline(role.inline_policies),
            "AttachedManagedPolicies": _attached(ws, role.managed_policies),
            **_boundary(ws, role.permission_boundary), "Tags": tags_to_aws(role.tags)}


def _policy(ws: Workspace, policy: ManagedPolicy) -> dict[str, Any]:
    return {"PolicyName": policy.name, "Arn": ws.arn_of(policy.id), "Path": policy.path,
            "DefaultVersionId": "v1", "IsAttachable": True,
            **({"Description": policy.description} if policy.description else {}),
            "PolicyVersionList": [{"Document": plain_json(policy.document), "VersionId": "v1",
                                   "IsDefaultVersion": True}]}


def export_authorization_details(ws: Workspace) -> dict[str, Any]:
    """The model's users, groups, roles and IAM managed policies as ``get-account-authorization-details`` output.

    Documents are written decoded (as the AWS CLI prints them), every policy with one default version ``v1``.
    Organization policies, resources and service principals are not part of that format and are left out
    (service principals come back from the trust policies that name them).
    """
    return {
        "UserDetailList": [_user(ws, e) for e in ws.entities.values() if isinstance(e, User)],
        "GroupDetailList": [_group(ws, e) for e in ws.entities.values() if isinstance(e, Group)],
        "RoleDetailList": [_role(ws, e) for e in ws.entities.values() if isinstance(e, Role)],
        "Policies": [_policy(ws, e) for e in ws.entities.values()
                     if isinstance(e, ManagedPolicy) and e.policy_type is PolicyType.IAM],
    }
