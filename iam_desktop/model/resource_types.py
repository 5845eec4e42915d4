"""The AWS resource types a model can hold: labels, ARN templates, and how their resource policies combine."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ResourceType:
    """One resource type.

    ``arn_template`` uses ``{region}``, ``{account}`` and ``{name}``. ``policy_required`` marks types whose
    resource policy must itself allow (KMS key policies). ``service_principal`` is the service that runs as a
    role for compute types (``None`` for the others). ``default_actions`` are granted when a person draws a
    resource-policy edge and suggested when asking a question.
    """

    key: str
    label: str
    service: str
    arn_template: str
    policy_label: str | None
    default_actions: tuple[str, ...]
    policy_required: bool = False
    service_principal: str | None = None


RESOURCE_TYPES: dict[str, ResourceType] = {
    t.key: t
    for t in (
        ResourceType("s3_bucket", "S3 bucket", "s3", "arn:aws:s3:::{name}", "bucket policy",
                     ("s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject")),
        ResourceType("dynamodb_table", "DynamoDB table", "dynamodb",
                     "arn:aws:dynamodb:{region}:{account}:table/{name}", "resource policy",
                     ("dynamodb:GetItem", "dynamodb:Query", "dynamodb:Scan", "dynamodb:PutItem")),
        ResourceType("lambda_function", "Lambda function", "lambda",
                     "arn:aws:lambda:{region}:{account}:function:{name}", "function policy",
                     ("lambda:InvokeFunction", "lambda:GetFunction", "lambda:UpdateFunctionCode"),
                     service_principal="lambda.amazonaws.com"),
        ResourceType("ec2_instance", "EC2 instance", "ec2",
                     "arn:aws:ec2:{region}:{account}:instance/{name}", None,
                     ("ec2:StartInstances", "ec2:StopInstances", "ec2:TerminateInstances"),
                     service_principal="ec2.amazonaws.com"),
        ResourceType("ecs_task", "ECS task", "ecs",
                     "arn:aws:ecs:{region}:{account}:task-definition/{name}", None,
                     ("ecs:RunTask", "ecs:DescribeTaskDefinition"),
                     service_principal="ecs-tasks.amazonaws.com"),
        ResourceType("sqs_queue", "SQS queue", "sqs", "arn:aws:sqs:{region}:{account}:{name}", "queue policy",
                     ("sqs:SendMessage", "sqs:ReceiveMessage", "sqs:DeleteMessage")),
        ResourceType("sns_topic", "SNS topic", "sns", "arn:aws:sns:{region}:{account}:{name}", "topic policy",
                     ("sns:Publish", "sns:Subscribe")),
        ResourceType("kms_key", "KMS key", "kms", "arn:aws:kms:{region}:{account}:key/{name}", "key policy",
                     ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"), policy_required=True),
        ResourceType("secret", "Secrets Manager secret", "secretsmanager",
                     "arn:aws:secretsmanager:{region}:{account}:secret:{name}", "secret policy",
                     ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")),
        ResourceType("generic", "Other resource (any ARN)", "*", "arn:aws:service:{region}:{account}:{name}",
                     "resource policy", ("*",)),
    )
}


def resource_type(key: str) -> ResourceType:
    """The resource type named ``key``; unknown keys fall back to the generic type."""
    return RESOURCE_TYPES.get(key, RESOURCE_TYPES["generic"])


def propose_arn(type_key: str, name: str, account_id: str, region: str = "us-east-1") -> str:
    """The ARN a new resource of this type, name and account gets unless the person edits it."""
    return resource_type(type_key).arn_template.format(region=region, account=account_id, name=name)


def resource_type_for_arn(arn: str) -> str:
    """The resource type key matching an ARN's service and resource part (``generic`` when none does)."""
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return "generic"
    service, resource = parts[2], parts[5]
    for t in RESOURCE_TYPES.values():
        if t.service != service or t.key == "generic":
            continue
        head = t.arn_template.split(":", 5)[5].split("{name}")[0]
        if resource.startswith(head):
            return t.key
    return "generic"
