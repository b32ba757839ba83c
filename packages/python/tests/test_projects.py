"""Projects: init_project, find_project_root, instance dirs for containers created inside one, doctor."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import pocketdock
from conftest import destroy, unique
from pocketdock import DoctorReport, ProjectNotInitialized
from pocketdock.projects import engine_socket, read_project_config


@pytest.fixture
def in_dir(tmp_path):
    before = os.getcwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(before)


def test_init_project_writes_the_defaults(tmp_path):
    root = pocketdock.init_project(tmp_path / "proj")
    assert root == (tmp_path / "proj").resolve() and isinstance(root, Path)
    text = (root / ".pocketdock" / "pocketdock.yaml").read_text()
    assert text.splitlines() == [
        "project_name: proj", "default_profile: minimal-python", "default_persist: false", "auto_log: true",
        "max_log_size: 10MB", "max_logs_per_instance: 100", "retention_days: 30", "socket: null", "log_level: info"]
    assert read_project_config(root)["max_logs_per_instance"] == 100
    assert pocketdock.init_project(tmp_path / "proj", project_name="other") == root  # an existing file is kept
    assert read_project_config(root)["project_name"] == "proj"
    named = pocketdock.init_project(tmp_path / "n", project_name="true")
    assert read_project_config(named)["project_name"] == "true"


def test_find_project_root_walks_up(tmp_path, in_dir):
    assert pocketdock.find_project_root(tmp_path) is None
    pocketdock.init_project(tmp_path)
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert pocketdock.find_project_root(deep) == tmp_path.resolve()
    os.chdir(deep)
    assert pocketdock.find_project_root() == tmp_path.resolve()


def test_engine_socket_precedence(tmp_path, monkeypatch):
    root = pocketdock.init_project(tmp_path)
    config = root / ".pocketdock" / "pocketdock.yaml"
    config.write_text(config.read_text().replace("socket: null", "socket: /from/config.sock"))
    monkeypatch.delenv("POCKETDOCK_SOCKET", raising=False)
    assert engine_socket(None, root) == "/from/config.sock"
    monkeypatch.setenv("POCKETDOCK_SOCKET", "/from/env.sock")
    assert engine_socket(None, root) == "/from/env.sock"
    assert engine_socket("/explicit.sock", root) == "/explicit.sock"


def test_containers_in_a_project_get_an_instance_dir_and_doctor_sees_them(daemon, in_dir):
    root = pocketdock.init_project(in_dir, project_name=unique("proj"))
    name = unique("inproj")
    c = pocketdock.create_new_container(name=name)
    try:
        assert c.project == read_project_config(root)["project_name"]
        assert c.data_path == str(root / ".pocketdock" / "instances" / name) and Path(c.data_path).is_dir()
        c.run("echo logged")
        report = pocketdock.doctor()
        assert isinstance(report, DoctorReport) and report.healthy == 1
        assert report.orphaned_containers == [] and report.stale_instance_dirs == []
        assert pocketdock.doctor(project_root=root) == report
    finally:
        destroy(name)
    stale = pocketdock.doctor(project_root=root)
    assert stale.healthy == 0 and stale.stale_instance_dirs in ([], [str(root / ".pocketdock" / "instances" / name)])


def test_doctor_outside_a_project(daemon, in_dir):
    with pytest.raises(ProjectNotInitialized) as err:
        pocketdock.doctor()
    assert err.value.path == str(in_dir.resolve())
    with pytest.raises(ProjectNotInitialized):
        pocketdock.doctor(project_root=in_dir)
