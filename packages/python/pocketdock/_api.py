"""The module-level functions of the sync API, on the shared daemon connection."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from . import _connect
from ._container import Container
from ._process import SyncProcess
from ._rpc import Daemon
from ._session import SyncSession
from .errors import ProjectNotInitialized, SessionClosed
from .projects import engine_socket, find_project_root
from .types import ContainerListItem, DoctorReport, from_wire


def _local_root(daemon: Daemon) -> Path | None:
    """The project around the cwd, when the daemon shares this file system (a remote one cannot write to it)."""
    return find_project_root() if daemon.local else None


def _engine(daemon: Daemon, socket_path: str | None) -> dict[str, str]:
    socket = engine_socket(socket_path, None if socket_path else _local_root(daemon))
    return {"socketPath": socket} if socket else {}


def create_params(daemon: Daemon, *, image: str | None, name: str | None, timeout: float, mem_limit: str | None,
                  cpu_percent: float | None, persist: bool, volumes: dict[str, str] | None, project: str | None,
                  profile: str | None, devices: list[str] | None, ports: dict[int, int] | None,
                  socket_path: str | None) -> dict[str, Any]:
    """container.create's params for create_new_container's keywords, in the caller's project if any."""
    root = _local_root(daemon)
    socket = engine_socket(socket_path, root)
    wanted = {
        "image": image, "name": name, "timeout": timeout, "memLimit": mem_limit, "cpuPercent": cpu_percent,
        # Only a True is sent: the project's default_persist decides otherwise.
        "persist": True if persist else None,
        "volumes": {str(k): str(v) for k, v in volumes.items()} if volumes else None,
        "project": project, "profile": profile, "devices": list(devices) if devices else None,
        "ports": {str(k): int(v) for k, v in ports.items()} if ports else None,
        "projectRoot": str(root) if root else None, "socketPath": socket,
    }
    return {k: v for k, v in wanted.items() if v is not None}


def create_new_container(*, image: str | None = None, name: str | None = None, timeout: float = 30,
                         mem_limit: str | None = None, cpu_percent: float | None = None, persist: bool = False,
                         volumes: dict[str, str] | None = None, project: str | None = None, profile: str | None = None,
                         devices: list[str] | None = None, ports: dict[int, int] | None = None,
                         socket_path: str | None = None) -> Container:
    """Creates and starts a sandbox container (image default ``pocketdock/minimal-python``)."""
    daemon = _connect.shared()
    params = create_params(daemon, image=image, name=name, timeout=timeout, mem_limit=mem_limit, cpu_percent=cpu_percent,
                           persist=persist, volumes=volumes, project=project, profile=profile, devices=devices,
                           ports=ports, socket_path=socket_path)
    return Container(daemon, daemon.call("container.create", params))


def resume_handle(daemon: Daemon, name: str, socket_path: str | None, timeout: float) -> dict[str, Any]:
    return {**daemon.call("container.resume", {"container": name, **_engine(daemon, socket_path)}), "timeout": timeout}


def resume_container(name: str, *, socket_path: str | None = None, timeout: float = 30) -> Container:
    """Starts a stopped (persistent) container again, file system intact."""
    daemon = _connect.shared()
    return Container(daemon, resume_handle(daemon, name, socket_path, timeout))


def list_containers(*, socket_path: str | None = None, project: str | None = None) -> list[ContainerListItem]:
    """Every managed container, running or stopped, optionally of one project."""
    daemon = _connect.shared()
    params = {**_engine(daemon, socket_path), **({"project": project} if project is not None else {})}
    return [from_wire(ContainerListItem, item) for item in daemon.call("container.list", params)]


def stop_container(name: str, *, socket_path: str | None = None) -> None:
    """Stops a running container without removing it."""
    daemon = _connect.shared()
    daemon.call("container.stop", {"container": name, **_engine(daemon, socket_path)})


def destroy_container(name: str, *, socket_path: str | None = None) -> None:
    """Removes a container whatever persist says, and its instance dir."""
    daemon = _connect.shared()
    daemon.call("container.destroy", {"container": name, **_engine(daemon, socket_path)})


def prune(*, socket_path: str | None = None, project: str | None = None) -> int:
    """Removes every stopped managed container (optionally one project's); returns how many."""
    daemon = _connect.shared()
    params = {**_engine(daemon, socket_path), **({"project": project} if project is not None else {})}
    return int(daemon.call("container.prune", params))


def doctor(*, project_root: str | os.PathLike[str] | None = None, socket_path: str | None = None) -> DoctorReport:
    """Cross-references a project's instance dirs with its containers."""
    daemon = _connect.shared()
    start = Path(project_root).resolve() if project_root is not None else Path.cwd()
    root = find_project_root(start) if project_root is None else (start if find_project_root(start) == start else None)
    if root is None:
        raise ProjectNotInitialized(str(start), message=f"no .pocketdock/pocketdock.yaml at or above {start} (run init_project)")
    params = {"projectRoot": str(root), **({"socketPath": s} if (s := engine_socket(socket_path, root)) else {})}
    return from_wire(DoctorReport, daemon.call("project.doctor", params))



def attach_process(exec_id: str) -> SyncProcess:
    """A handle on a detached process (or any exec) by id, such as one another client started."""
    daemon = _connect.shared()
    daemon.call("exec.info", {"execId": exec_id})  # ProcessLost now rather than at first use
    return SyncProcess(daemon, exec_id)


def attach_session(session_id: str) -> SyncSession:
    """A handle on a session another client (or this one) opened; SessionClosed if it is not open."""
    daemon = _connect.shared()
    return SyncSession(daemon, open_session_id(daemon, session_id))


def open_session_id(daemon: Daemon, session_id: str) -> str:
    info = daemon.call("session.info", {"sessionId": session_id})
    if not info["open"]:
        raise SessionClosed(session_id, info["reason"] or "", message=f"session {session_id} is closed: {info['reason']}")
    return session_id
