"""pocketdock's async API: the sync API's functions and classes as coroutines.

Each blocking call runs on a thread of its own while the event loop goes on; callbacks
(``on_stdout``, ``on_output``, …) run on the loop's thread.
"""

from __future__ import annotations

import asyncio
import os
import threading
from typing import Any, AsyncIterator, Callable, TypeVar

from . import _api, _connect
from ._container import DEFAULT_MAX_OUTPUT, Container
from ._process import SyncExecStream, SyncProcess
from ._session import SyncSession
from ._version import __version__, get_version
from .profiles import list_profiles, resolve_profile
from .projects import find_project_root, init_project
from .types import BufferSnapshot, ContainerInfo, ContainerListItem, DoctorReport, ExecResult, StreamChunk

__all__ = [
    "__version__", "get_version",
    "create_new_container", "resume_container", "list_containers", "stop_container", "destroy_container", "prune",
    "doctor", "attach_process", "attach_session", "find_project_root", "init_project", "resolve_profile", "list_profiles",
    "AsyncContainer", "AsyncSession", "AsyncProcess", "AsyncExecStream",
]

T = TypeVar("T")


async def _off_loop(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``fn(*args)`` on a daemon thread (never blocking interpreter exit), awaited on the loop."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(outcome: Callable[[], None]) -> None:
        if not future.done():
            outcome()

    def work() -> None:
        try:
            value = fn(*args, **kwargs)
        except BaseException as err:  # noqa: BLE001 - handed to the awaiting coroutine
            fail = err
            _call_soon(loop, settle, lambda: future.set_exception(fail))
        else:
            _call_soon(loop, settle, lambda: future.set_result(value))

    threading.Thread(target=work, name="pocketdock-call", daemon=True).start()
    return await future


def _call_soon(loop: asyncio.AbstractEventLoop, fn: Callable[..., Any], *args: Any) -> None:
    try:
        loop.call_soon_threadsafe(fn, *args)
    except RuntimeError:
        pass  # the loop has closed: nobody is left to tell


def _loop_dispatch() -> Callable[..., None]:
    """Runs callbacks on the current loop's thread; a coroutine function's result becomes a task."""
    loop = asyncio.get_running_loop()

    def run(fn: Callable[..., Any], *args: Any) -> None:
        result = fn(*args)
        if asyncio.iscoroutine(result):
            loop.create_task(result)

    return lambda fn, *args: _call_soon(loop, run, fn, *args)


class AsyncProcess:
    """A detached command. ``is_running()``, ``kill()`` and ``wait()`` are coroutines; ``read()`` and
    ``peek()`` (quick calls to the local daemon) are not, as in the reference."""

    def __init__(self, process: SyncProcess) -> None:
        self._process = process

    @property
    def id(self) -> str:
        return self._process.id

    @property
    def buffer_size(self) -> int:
        return self._process.buffer_size

    @property
    def buffer_overflow(self) -> bool:
        return self._process.buffer_overflow

    async def is_running(self) -> bool:
        return await _off_loop(self._process.is_running)

    async def kill(self, signal: int = 15) -> None:
        await _off_loop(self._process.kill, signal)

    async def wait(self, timeout: float | None = None) -> ExecResult:
        return await _off_loop(self._process.wait, timeout)

    def read(self) -> BufferSnapshot:
        return self._process.read()

    def peek(self) -> BufferSnapshot:
        return self._process.peek()

    def __repr__(self) -> str:
        return f"<AsyncProcess {self.id}>"


_END = object()


class AsyncExecStream:
    """A command's output as an async iterator of StreamChunk; ``result`` once iteration has ended."""

    def __init__(self, stream: SyncExecStream) -> None:
        self._stream = stream

    @property
    def id(self) -> str:
        return self._stream.id

    @property
    def result(self) -> ExecResult | None:
        return self._stream.result

    def __aiter__(self) -> AsyncIterator[StreamChunk]:
        return self._chunks()

    async def _chunks(self) -> AsyncIterator[StreamChunk]:
        chunks = iter(self._stream)
        try:
            while (chunk := await _off_loop(next, chunks, _END)) is not _END:
                yield chunk  # type: ignore[misc]
        finally:
            # Leaving early stops the command (the sync iterator's close does it); a poll still in
            # flight on its thread (the task was cancelled) makes close refuse, and the exec runs on.
            try:
                await _off_loop(chunks.close)  # type: ignore[attr-defined]
            except ValueError:
                pass


class AsyncSession:
    """A persistent shell. ``send()``, ``send_and_wait()`` and ``close()`` are coroutines."""

    def __init__(self, session: SyncSession) -> None:
        self._session = session

    @property
    def id(self) -> str:
        return self._session.id

    async def send(self, command: str) -> None:
        await _off_loop(self._session.send, command)

    async def send_and_wait(self, command: str, *, timeout: float | None = None) -> ExecResult:
        return await _off_loop(self._session.send_and_wait, command, timeout=timeout)

    def read(self) -> str:
        return self._session.read()

    def on_output(self, fn: Callable[[str], Any]) -> None:
        self._session.on_output(fn)

    async def close(self) -> None:
        await _off_loop(self._session.close)

    def __repr__(self) -> str:
        return f"<AsyncSession {self.id}>"


class AsyncContainer:
    """A sandbox container; ``async with`` shuts it down on leaving the block."""

    def __init__(self, daemon: Any, handle: dict[str, Any]) -> None:
        """Made by create_new_container and resume_container, on a running loop (callbacks run there)."""
        self._c = Container(daemon, handle, _loop_dispatch(), owner=self)

    container_id = property(lambda self: self._c.container_id, doc="Full container id")
    socket_path = property(lambda self: self._c.socket_path, doc="Engine socket path")
    name = property(lambda self: self._c.name, doc="Container name")
    persist = property(lambda self: self._c.persist, doc="Persistent container")
    project = property(lambda self: self._c.project, doc="Project name")
    data_path = property(lambda self: self._c.data_path, doc="Instance data directory")
    timeout = property(lambda self: self._c.timeout, doc="Default exec timeout in seconds")

    async def run(self, command: str, *, stream: bool = False, detach: bool = False, timeout: float | None = None,
                  max_output: int = DEFAULT_MAX_OUTPUT, lang: str | None = None) -> Any:
        """To completion (ExecResult), streamed (AsyncExecStream) or detached (AsyncProcess)."""
        out = await _off_loop(self._c.run, command, stream=stream, detach=detach, timeout=timeout,
                              max_output=max_output, lang=lang)
        if isinstance(out, SyncExecStream):
            return AsyncExecStream(out)
        if isinstance(out, SyncProcess):
            return AsyncProcess(out)
        return out

    async def info(self) -> ContainerInfo:
        return await _off_loop(self._c.info)

    async def reboot(self, *, fresh: bool = False) -> None:
        await _off_loop(self._c.reboot, fresh=fresh)

    async def write_file(self, path: str, content: str | bytes) -> None:
        await _off_loop(self._c.write_file, path, content)

    async def read_file(self, path: str) -> bytes:
        return await _off_loop(self._c.read_file, path)

    async def list_files(self, path: str = "/home/sandbox") -> list[str]:
        return await _off_loop(self._c.list_files, path)

    async def push(self, src: str | os.PathLike[str], dest: str) -> None:
        await _off_loop(self._c.push, src, dest)

    async def pull(self, src: str, dest: str | os.PathLike[str]) -> None:
        await _off_loop(self._c.pull, src, dest)

    async def session(self) -> AsyncSession:
        return AsyncSession(await _off_loop(self._c.session))

    async def snapshot(self, image_name: str) -> str:
        return await _off_loop(self._c.snapshot, image_name)

    async def shutdown(self, *, force: bool = False) -> None:
        await _off_loop(self._c.shutdown, force=force)

    def on_stdout(self, fn: Callable[[AsyncContainer, str], Any]) -> None:
        self._c.on_stdout(fn)

    def on_stderr(self, fn: Callable[[AsyncContainer, str], Any]) -> None:
        self._c.on_stderr(fn)

    def on_exit(self, fn: Callable[[AsyncContainer, int], Any]) -> None:
        self._c.on_exit(fn)

    async def __aenter__(self) -> AsyncContainer:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await _off_loop(self._c.__exit__)

    def __repr__(self) -> str:
        return f"<AsyncContainer {self.name} {self.container_id[:12]}>"


async def create_new_container(*, image: str | None = None, name: str | None = None, timeout: float = 30,
                               mem_limit: str | None = None, cpu_percent: float | None = None, persist: bool = False,
                               volumes: dict[str, str] | None = None, project: str | None = None,
                               profile: str | None = None, devices: list[str] | None = None,
                               ports: dict[int, int] | None = None, socket_path: str | None = None) -> AsyncContainer:
    """Creates and starts a sandbox container; the same keywords as the sync version."""
    def create() -> tuple[Any, dict[str, Any]]:
        daemon = _connect.shared()
        params = _api.create_params(daemon, image=image, name=name, timeout=timeout, mem_limit=mem_limit,
                                    cpu_percent=cpu_percent, persist=persist, volumes=volumes, project=project,
                                    profile=profile, devices=devices, ports=ports, socket_path=socket_path)
        return daemon, daemon.call("container.create", params)

    return AsyncContainer(*await _off_loop(create))


async def resume_container(name: str, *, socket_path: str | None = None, timeout: float = 30) -> AsyncContainer:
    def resume() -> tuple[Any, dict[str, Any]]:
        daemon = _connect.shared()
        return daemon, _api.resume_handle(daemon, name, socket_path, timeout)

    return AsyncContainer(*await _off_loop(resume))


async def list_containers(*, socket_path: str | None = None, project: str | None = None) -> list[ContainerListItem]:
    return await _off_loop(_api.list_containers, socket_path=socket_path, project=project)


async def stop_container(name: str, *, socket_path: str | None = None) -> None:
    await _off_loop(_api.stop_container, name, socket_path=socket_path)


async def destroy_container(name: str, *, socket_path: str | None = None) -> None:
    await _off_loop(_api.destroy_container, name, socket_path=socket_path)


async def prune(*, socket_path: str | None = None, project: str | None = None) -> int:
    return await _off_loop(_api.prune, socket_path=socket_path, project=project)


async def doctor(*, project_root: str | os.PathLike[str] | None = None, socket_path: str | None = None) -> DoctorReport:
    return await _off_loop(_api.doctor, project_root=project_root, socket_path=socket_path)


async def attach_process(exec_id: str) -> AsyncProcess:
    """A handle on a detached process (or any exec) by id, such as one another client started."""
    return AsyncProcess(await _off_loop(_api.attach_process, exec_id))


async def attach_session(session_id: str) -> AsyncSession:
    """A handle on an open session by id; SessionClosed if it is not open."""
    def attach() -> SyncSession:
        daemon = _connect.shared()
        return SyncSession(daemon, _api.open_session_id(daemon, session_id), dispatch)

    dispatch = _loop_dispatch()
    return AsyncSession(await _off_loop(attach))
