"""Profiles and the version."""

from __future__ import annotations

import json

import pocketdock
from conftest import REPO
from pocketdock import ProfileInfo
from pocketdock._rpc import Daemon


def test_list_and_resolve_profiles(daemon):
    profiles = pocketdock.list_profiles()
    assert [p.name for p in profiles] == ["minimal-python", "minimal-node", "minimal-bun", "dev", "agent", "embedded"]
    assert all(isinstance(p, ProfileInfo) for p in profiles)
    dev = pocketdock.resolve_profile("dev")
    assert (dev.image_tag, dev.network_default) == ("pocketdock/dev", True) and dev.description and dev.size_estimate
    assert pocketdock.profiles.resolve_profile("minimal-python").network_default is False


def test_version_is_the_release(daemon):
    release = json.loads((REPO / "package.json").read_text())["version"]
    assert pocketdock.__version__ == pocketdock.get_version() == release
    assert Daemon(daemon.socket).call("daemon.version")["version"] == release
