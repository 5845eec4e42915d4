"""The AWS catalog of services, actions, resource types and condition keys, behind our own interface."""

from iam_desktop.catalog.catalog import Catalog, CatalogError, default_catalog
from iam_desktop.catalog.global_keys import GLOBAL_CONDITION_KEYS

__all__ = ["GLOBAL_CONDITION_KEYS", "Catalog", "CatalogError", "default_catalog"]
