"""Typed errors the model raises when an edit would break its invariants."""

from __future__ import annotations


class ModelError(ValueError):
    """Base class: an edit or a loaded model breaks a rule of the model; the message says which and why."""


class DuplicateIdError(ModelError):
    """An entity with this id already exists."""


class UnknownEntityError(ModelError, KeyError):
    """No entity has this id."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "unknown entity"


class DanglingReferenceError(ModelError):
    """An entity refers to an id that does not exist, or to an entity of the wrong kind."""


class InvalidEntityError(ModelError):
    """An entity's own fields are invalid (empty name, malformed account id, bad ARN, ...)."""


class InvalidEdgeError(ModelError):
    """A connection that makes no sense in IAM (e.g. a role as a member of a group)."""
