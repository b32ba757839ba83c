"""Container: a handle on one daemon-side sandbox, addressed by its id on its engine."""

from __future__ import annotations

import os
import uuid
from typing import Any, Callable

from ._callbacks import ExecCallbacks
from ._files import DEFAULT_LIST_PATH, Files
from ._follow import call_now
from ._process import SyncExecStream, SyncProcess
from ._rpc import Daemon
from ._session import SyncSession
from .errors import ContainerGone, ContainerNotFound
from .types import ContainerInfo, ExecResult, from_wire

DEFAULT_MAX_OUTPUT = 10_485_760
#: Most bytes a stream's buffer may hold (the protocol's cap).
MAX_BUFFER = 256 * 1024 * 1024


def run_params(command: str, timeout: float | None, max_output: int, lang: str | None) -> dict[str, Any]:
    params: dict[str, Any] = {"command": command, "maxOutput": max_output}
    if timeout is not None:
        params["timeout"] = timeout
    if lang is not None:
        params["lang"] = lang
    return params


class Container:
    """A sandbox container. ``with`` shuts it down on leaving the block (a persistent one is only stopped)."""

    def __init__(self, daemon: Daemon, handle: dict[str, Any], dispatch: Callable[..., None] = call_now,
                 owner: Any = None) -> None:
        self._daemon = daemon
        self._dispatch = dispatch
        self._handle = handle
        self._shut_down = False
        # Callbacks get the object the user holds: this one, or the AsyncContainer around it.
        self._callbacks = ExecCallbacks(daemon, owner if owner is not None else self, dispatch)
        self._files = Files(daemon, lambda: self._target)

    @property
    def container_id(self) -> str:
        """Full container id; changes when ``reboot(fresh=True)`` recreates the container."""
        return str(self._handle["containerId"])

    @property
    def socket_path(self) -> str:
        """The engine socket this container lives on."""
        return str(self._handle["socketPath"])

    @property
    def name(self) -> str:
        return str(self._handle["name"])

    @property
    def persist(self) -> bool:
        return bool(self._handle["persist"])

    @property
    def project(self) -> str:
        return str(self._handle["project"])

    @property
    def data_path(self) -> str:
        """Instance data directory, "" when the container has no project."""
        return str(self._handle["dataPath"])

    @property
    def timeout(self) -> float:
        """Default exec timeout in seconds."""
        return self._handle["timeout"]

    @property
    def _target(self) -> dict[str, Any]:
        return {"container": self.container_id, "socketPath": self.socket_path}

    def run(self, command: str, *, stream: bool = False, detach: bool = False, timeout: float | None = None,
            max_output: int = DEFAULT_MAX_OUTPUT, lang: str | None = None) -> Any:
        """Runs a command: to completion (ExecResult), streamed (ExecStream) or detached (Process)."""
        # The container's timeout is sent, not left to the daemon: resume_container may have set another.
        default = None if detach else self.timeout
        params = {**self._target, **run_params(command, timeout if timeout is not None else default, max_output, lang)}
        if stream:
            # A buffer as large as the output may grow, so that nothing is evicted before it is polled.
            params["bufferSize"] = max(1, min(max_output, MAX_BUFFER))
            return SyncExecStream(self._daemon, self._start(params))
        if detach:
            if max_output == DEFAULT_MAX_OUTPUT:
                del params["maxOutput"]  # a background process keeps all it prints unless told otherwise
            exec_id = self._start({**params, "detach": True})
            self._callbacks.started(exec_id)
            return SyncProcess(self._daemon, exec_id)
        return from_wire(ExecResult, self._daemon.call("container.run", params))

    def _start(self, params: dict[str, Any]) -> str:
        return str(self._daemon.call("exec.start", {**params, "execId": str(uuid.uuid4())})["execId"])

    def info(self) -> ContainerInfo:
        """A live snapshot: status, resources, network, processes."""
        wire = self._daemon.call("container.info", self._target)
        return from_wire(ContainerInfo, {**wire, "ports": {int(h): int(c) for h, c in wire.get("ports", {}).items()}})

    def reboot(self, *, fresh: bool = False) -> None:
        """Restarts the container; ``fresh`` recreates it from its image with the same name and settings."""
        self._handle = self._daemon.call("container.reboot", {**self._target, "fresh": fresh})
        self._shut_down = False

    def write_file(self, path: str, content: str | bytes) -> None:
        """Creates or overwrites a file (its parent must exist) with text or bytes."""
        self._files.write_file(path, content)

    def read_file(self, path: str) -> bytes:
        return self._files.read_file(path)

    def list_files(self, path: str = DEFAULT_LIST_PATH) -> list[str]:
        """Names in a directory, hidden ones included; directories end with "/"."""
        return self._files.list_files(path)

    def push(self, src: str | os.PathLike[str], dest: str) -> None:
        """Copies a file or directory tree from this machine to ``dest`` (the new path) in the container."""
        self._files.push(src, dest)

    def pull(self, src: str, dest: str | os.PathLike[str]) -> None:
        """Copies a file or directory tree of the container to ``dest`` (the new path) on this machine."""
        self._files.pull(src, dest)

    def session(self) -> SyncSession:
        """Opens a persistent shell session."""
        info = self._daemon.call("session.open", self._target)
        return SyncSession(self._daemon, info["sessionId"], self._dispatch)

    def snapshot(self, image_name: str) -> str:
        """Commits the container's file system to an image; returns its id."""
        return str(self._daemon.call("container.snapshot", {**self._target, "imageName": image_name}))

    def shutdown(self, *, force: bool = False) -> None:
        """Stops and removes the container; a persistent one is only stopped. Once this object has
        shut it down, calling it again does nothing (until reboot() starts it again)."""
        if self._shut_down:
            return
        self._daemon.call("container.shutdown", {**self._target, "force": force})
        self._shut_down = True

    def on_stdout(self, fn: Callable[[Any, str], Any]) -> None:
        """Calls ``fn(container, data)`` with the stdout of every detached process started through this object."""
        self._callbacks.on_output("stdout", fn)

    def on_stderr(self, fn: Callable[[Any, str], Any]) -> None:
        self._callbacks.on_output("stderr", fn)

    def on_exit(self, fn: Callable[[Any, int], Any]) -> None:
        """Calls ``fn(container, exit_code)`` when a detached process started through this object ends."""
        self._callbacks.on_exit(fn)

    def __enter__(self) -> Container:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            self.shutdown()
        except (ContainerNotFound, ContainerGone):
            pass  # already gone: what the block's end asks for

    def __repr__(self) -> str:
        return f"<Container {self.name} {self.container_id[:12]}>"
