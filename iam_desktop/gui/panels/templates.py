"""Ready-made policy documents the policy editor's Templates menu offers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Mapping


@dataclass(frozen=True)
class PolicyTemplate:
    """A named policy document and the kind of policy it is written for.

    ``kind`` is ``"identity"``, ``"trust"``, ``"resource"`` or ``"scp"``; the editor lists the templates
    of the kind it edits first.
    """

    name: str
    kind: str
    document: Mapping[str, Any]

    def text(self) -> str:
        """The document as indented JSON, as the editor shows it."""
        return json.dumps(self.document, indent=2)


def _trust_for_service(service: str) -> dict[str, Any]:
    return {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
    }


TEMPLATES: tuple[PolicyTemplate, ...] = (
    PolicyTemplate("Read-only S3 bucket", "identity", {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "ListBucket", "Effect": "Allow", "Action": "s3:ListBucket",
             "Resource": "arn:aws:s3:::example-bucket"},
            {"Sid": "ReadObjects", "Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
             "Resource": "arn:aws:s3:::example-bucket/*"},
        ],
    }),
    PolicyTemplate("Lambda basic execution (CloudWatch Logs)", "identity", {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "WriteLogs", "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "*",
        }],
    }),
    PolicyTemplate("Trust: AWS Lambda", "trust", _trust_for_service("lambda.amazonaws.com")),
    PolicyTemplate("Trust: Amazon EC2", "trust", _trust_for_service("ec2.amazonaws.com")),
    PolicyTemplate("Trust: Amazon ECS tasks", "trust", _trust_for_service("ecs-tasks.amazonaws.com")),
    PolicyTemplate("Trust: another account, with MFA", "trust", {
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "sts:AssumeRole",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
        }],
    }),
    PolicyTemplate("SCP: deny outside a region", "scp", {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "DenyOutsideRegion", "Effect": "Deny",
            "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "cloudfront:*", "route53:*"],
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["us-east-1"]}},
        }],
    }),
    PolicyTemplate("Bucket policy: read for one account", "resource", {
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AccountRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
            "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*",
        }],
    }),
)


def templates_for(kind: str) -> list[PolicyTemplate]:
    """Every template, those written for ``kind`` first."""
    return sorted(TEMPLATES, key=lambda t: t.kind != kind)
