"""Process and ExecStream: a detached command's handle, and a streamed command's output."""

from __future__ import annotations

from typing import Iterator

from ._follow import Poller
from ._rpc import Daemon
from .errors import PocketDockError
from .types import BufferSnapshot, ExecResult, StreamChunk, from_wire


class SyncProcess:
    """A detached command, addressed by id: any client may hold one for the same process.

    The daemon keeps its output in a ring buffer per stream (1 MiB by default) whether or not
    anyone reads it; ``read()`` consumes it, ``peek()`` leaves it.
    """

    def __init__(self, daemon: Daemon, exec_id: str) -> None:
        self._daemon = daemon
        self._id = exec_id

    @property
    def id(self) -> str:
        """The exec id."""
        return self._id

    @property
    def buffer_size(self) -> int:
        """Bytes buffered now, both streams."""
        return int(self._info()["bufferSize"])

    @property
    def buffer_overflow(self) -> bool:
        """True once output was evicted from the buffer."""
        return bool(self._info()["bufferOverflow"])

    def is_running(self) -> bool:
        return bool(self._info()["running"])

    def kill(self, signal: int = 15) -> None:
        """Sends ``signal`` (default SIGTERM) to the process and everything it started, in the container."""
        self._daemon.call("exec.kill", {"execId": self._id, "signal": signal})

    def wait(self, timeout: float | None = None) -> ExecResult:
        """Waits for the process to end; raises TimeoutError after ``timeout`` seconds."""
        params = {"execId": self._id, **({"timeout": timeout} if timeout is not None else {})}
        result = self._daemon.call("exec.wait", params)
        if result is None:
            raise TimeoutError(f"process {self._id} still running after {timeout} s")
        return from_wire(ExecResult, result)

    def read(self) -> BufferSnapshot:
        """What is buffered, clearing it."""
        return from_wire(BufferSnapshot, self._daemon.call("exec.read", {"execId": self._id}))

    def peek(self) -> BufferSnapshot:
        """What is buffered, leaving it."""
        return from_wire(BufferSnapshot, self._daemon.call("exec.peek", {"execId": self._id}))

    def _info(self) -> dict:
        return self._daemon.call("exec.info", {"execId": self._id})

    def __repr__(self) -> str:
        return f"<Process {self._id}>"


class SyncExecStream:
    """A command's output as an iterator of StreamChunk, arriving while it runs.

    ``result`` is the ExecResult once iteration has ended. Leaving the loop early stops the command.
    """

    def __init__(self, daemon: Daemon, exec_id: str) -> None:
        self._poller = Poller(daemon, exec_id, {"stdout": 0, "stderr": 0})
        self._iterating = False

    @property
    def id(self) -> str:
        return self._poller.exec_id

    @property
    def result(self) -> ExecResult | None:
        return self._poller.result

    def __iter__(self) -> Iterator[StreamChunk]:
        if self._iterating:
            raise RuntimeError("an ExecStream can be iterated only once")
        self._iterating = True
        return self._chunks()

    def _chunks(self) -> Iterator[StreamChunk]:
        try:
            yield from self._poller.chunks()
        finally:
            if self._poller.result is None:
                try:
                    self._poller.daemon.call("exec.stop", {"execId": self._poller.exec_id})
                except PocketDockError:
                    pass  # already ended, or the daemon is gone: nothing left to stop
