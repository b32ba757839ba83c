"""The error tree matches the daemon's table, and each error arrives as its class with its fields."""

from __future__ import annotations

import pytest

import pocketdock
from conftest import DaemonProcess, unique
from pocketdock import _connect, errors
from pocketdock._rpc import Daemon


def test_the_tree_is_the_daemons_table(daemon):
    table = Daemon(daemon.socket).call("rpc.discover")["components"]["errors"]
    assert set(table) == set(errors.WIRE_CLASSES)
    for name, spec in table.items():
        cls = errors.WIRE_CLASSES[name]
        parent = spec["data"]["extends"]
        assert (cls.__mro__[1].__name__ if parent else None) == (parent if parent else None), name
        assert set(cls.fields) == {errors.snake(f) for f in spec["data"]["fields"]}, name
        assert issubclass(cls, pocketdock.PocketDockError) and getattr(pocketdock, name) is cls


def test_reference_classes_and_attributes():
    e = pocketdock.ContainerNotFound("pd-1", "gone")
    assert isinstance(e, pocketdock.ContainerError) and (e.container_id, e.detail) == ("pd-1", "gone")
    s = pocketdock.SocketConnectionError("/x.sock", "refused")
    assert isinstance(s, pocketdock.SocketError) and s.socket_path == "/x.sock"
    assert isinstance(pocketdock.PodmanNotRunning("systemctl --user start podman.socket"), pocketdock.SocketError)
    assert pocketdock.ImageNotFound("img").image == "img"
    assert pocketdock.SessionClosed("s1", "closed").reason == "closed"
    assert pocketdock.ProjectNotInitialized("/p").path == "/p"
    for cls in (pocketdock.ContainerNotRunning, pocketdock.ContainerGone):
        assert issubclass(cls, pocketdock.ContainerError)


def test_container_not_found(daemon):
    with pytest.raises(pocketdock.ContainerNotFound) as err:
        pocketdock.stop_container(unique("missing"))
    assert err.value.container_id and err.value.code == -32021 and err.value.data["type"] == "ContainerNotFound"


def test_image_not_found(daemon):
    with pytest.raises(pocketdock.ImageNotFound) as err:
        pocketdock.create_new_container(name=unique(), image="pocketdock-pytest/no-such-image:none")
    assert err.value.image == "pocketdock-pytest/no-such-image:none"


def test_invalid_params_names_the_field(daemon):
    with pytest.raises(pocketdock.InvalidParams) as err:
        pocketdock.create_new_container(name=unique(), mem_limit="lots")
    assert err.value.field == "memLimit" and err.value.detail
    with pytest.raises(pocketdock.InvalidParams):
        pocketdock.resolve_profile("no-such-profile")


def test_process_lost(daemon):
    with pytest.raises(pocketdock.ProcessLost) as err:
        pocketdock.attach_process("no-such-exec")
    assert err.value.exec_id == "no-such-exec"


def test_method_not_found(daemon):
    with pytest.raises(pocketdock.MethodNotFound) as err:
        Daemon(daemon.socket).call("container.teleport")
    assert err.value.method == "container.teleport"


def test_daemon_not_running_without_auto_start(tmp_path):
    with pytest.raises(pocketdock.DaemonNotRunning) as err:
        _connect.connect(str(tmp_path / "none.sock"), auto_start=False)
    assert err.value.address == str(tmp_path / "none.sock")


def test_tcp_needs_the_token():
    d = DaemonProcess(tcp=True)
    try:
        assert d.port
        with pytest.raises(pocketdock.Unauthorized):
            Daemon(f"http://127.0.0.1:{d.port}").call("daemon.version")
        with pytest.raises(pocketdock.Unauthorized):
            Daemon(f"ws://127.0.0.1:{d.port}", "wrong").call("daemon.version")
        assert _connect.connect(f"ws://127.0.0.1:{d.port}/rpc", d.token).call("daemon.version")["version"]
    finally:
        d.stop()
