"""Image profiles (minimal-python, minimal-node, minimal-bun, dev, agent, embedded), as the daemon knows them."""

from __future__ import annotations

from . import _connect
from .types import ProfileInfo, from_wire

__all__ = ["ProfileInfo", "resolve_profile", "list_profiles"]


def resolve_profile(name: str) -> ProfileInfo:
    """One profile by name; InvalidParams names an unknown one."""
    return from_wire(ProfileInfo, _connect.shared().call("profile.resolve", {"name": name}))


def list_profiles() -> list[ProfileInfo]:
    """Every profile."""
    return [from_wire(ProfileInfo, p) for p in _connect.shared().call("profile.list")]
