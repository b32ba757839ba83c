"""create_new_container with every keyword; info, reboot, snapshot, shutdown, persist/resume/stop/destroy, list, prune."""

from __future__ import annotations

import shutil
import socket
import subprocess

import pytest

import pocketdock
from conftest import destroy, unique
from pocketdock import ContainerInfo, ContainerListItem, ContainerNotFound


def test_create_with_every_keyword(daemon, tmp_path):
    (tmp_path / "shared.txt").write_text("from the host")
    tmp_path.chmod(0o755)  # readable by the container's user
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    name = unique("kw")
    c = pocketdock.create_new_container(
        image=None, name=name, timeout=15, mem_limit="256m", cpu_percent=50, persist=False,
        volumes={str(tmp_path): "/mnt/host"}, project=f"proj-{name}", profile="minimal-python", devices=["/dev/null"],
        ports={port: 8000}, socket_path=daemon.engine or None)
    try:
        assert (c.name, c.persist, c.project, c.data_path, c.timeout) == (name, False, f"proj-{name}", "", 15)
        assert len(c.container_id) == 64 and c.socket_path
        info = c.info()
        assert isinstance(info, ContainerInfo) and (info.status, info.name) == ("running", name)
        assert info.image == "pocketdock/minimal-python" and info.memory_limit and info.ports == {port: 8000}
        assert info.pids >= 1 and info.processes and isinstance(info.network, bool)
        r = c.run("cat /mnt/host/shared.txt")
        assert r.stdout == "from the host", r.stderr
    finally:
        destroy(name)


def test_with_shuts_a_container_down(daemon):
    with pocketdock.create_new_container(name=unique("with")) as c:
        assert c.run("true").ok
    with pytest.raises(ContainerNotFound):
        pocketdock.stop_container(c.name)
    c.shutdown()  # twice on one handle is a no-op


def test_persistent_container_survives_shutdown_and_resumes(daemon):
    name = unique("persist")
    c = pocketdock.create_new_container(name=name, persist=True)
    try:
        assert c.persist is True
        c.write_file("/home/sandbox/keep.txt", "kept")
        c.shutdown()
        [item] = [i for i in pocketdock.list_containers() if i.name == name]
        assert isinstance(item, ContainerListItem) and item.status == "exited" and item.persist is True
        assert item.id == c.container_id and item.created_at
        again = pocketdock.resume_container(name, timeout=7)
        assert again.timeout == 7 and again.read_file("/home/sandbox/keep.txt") == b"kept"
        pocketdock.stop_container(name)
        assert [i.status for i in pocketdock.list_containers() if i.name == name] == ["exited"]
        with pytest.raises(pocketdock.ContainerNotRunning) as err:
            again.run("true")
        assert err.value.container_id
        pocketdock.destroy_container(name)
        assert not [i for i in pocketdock.list_containers() if i.name == name]
    finally:
        destroy(name)


def test_prune_removes_a_projects_stopped_containers(daemon):
    project = unique("prune")
    names = [unique("p1"), unique("p2"), unique("p3")]
    for n in names:
        pocketdock.create_new_container(name=n, project=project, persist=True)
    try:
        pocketdock.stop_container(names[0])
        pocketdock.stop_container(names[1])
        assert sorted(i.name for i in pocketdock.list_containers(project=project)) == sorted(names)
        assert pocketdock.prune(project=project) == 2
        assert [i.name for i in pocketdock.list_containers(project=project)] == [names[2]]
        assert pocketdock.prune(project=project) == 0
    finally:
        for n in names:
            destroy(n)


def test_reboot_keeps_files_and_fresh_recreates(container):
    container.write_file("/home/sandbox/mark", "m")
    first = container.container_id
    container.reboot()
    assert container.container_id == first and container.read_file("/home/sandbox/mark") == b"m"
    container.reboot(fresh=True)
    assert container.container_id != first and not container.run("test -e /home/sandbox/mark").ok


def test_snapshot_commits_an_image_usable_by_create(container):
    container.write_file("/home/sandbox/snap.txt", "snapped")
    tag = f"pocketdock-pytest/{unique('snap')}:v1"
    image_id = container.snapshot(tag)
    assert isinstance(image_id, str) and image_id
    try:
        with pocketdock.create_new_container(name=unique("from-snap"), image=tag) as c:
            assert c.read_file("/home/sandbox/snap.txt") == b"snapped"
    finally:
        if shutil.which("docker"):
            subprocess.run(["docker", "rmi", "-f", tag], capture_output=True)
