"""A container's on_stdout/on_stderr/on_exit: they fire for every detached process started through
that container object. Once any callback exists, each such process is followed on its own thread
by long-poll: from its start when the callbacks came first, else from what is still buffered.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from ._follow import Poller, in_thread
from ._rpc import Daemon
from .errors import PocketDockError


class ExecCallbacks:
    def __init__(self, daemon: Daemon, owner: Any, dispatch: Callable[..., None]) -> None:
        self._daemon = daemon
        self._owner = owner
        self._dispatch = dispatch
        self._output: dict[str, list[Callable[..., Any]]] = {"stdout": [], "stderr": []}
        self._exit: list[Callable[..., Any]] = []
        self._unfollowed: list[str] = []
        self._lock = threading.Lock()

    def on_output(self, stream: str, fn: Callable[..., Any]) -> None:
        self._add(self._output[stream], fn)

    def on_exit(self, fn: Callable[..., Any]) -> None:
        self._add(self._exit, fn)

    def started(self, exec_id: str) -> None:
        """A detached process was started through the owner: follow it from its first byte if anyone listens."""
        with self._lock:
            if not self._active:
                self._unfollowed.append(exec_id)
                return
        self._follow(exec_id, {"stdout": 0, "stderr": 0})

    @property
    def _active(self) -> bool:
        return bool(self._output["stdout"] or self._output["stderr"] or self._exit)

    def _add(self, callbacks: list[Callable[..., Any]], fn: Callable[..., Any]) -> None:
        with self._lock:
            callbacks.append(fn)
            pending, self._unfollowed = self._unfollowed, []
        for exec_id in pending:
            self._follow(exec_id, None)

    def _follow(self, exec_id: str, offsets: dict[str, int] | None) -> None:
        poller = Poller(self._daemon, exec_id, offsets)

        def follow() -> None:
            try:
                for chunk in poller.chunks():
                    for fn in list(self._output[chunk.stream]):
                        self._dispatch(fn, self._owner, chunk.data)
            except PocketDockError:
                return  # the process or the daemon is gone: no exit code to report
            for fn in list(self._exit):
                self._dispatch(fn, self._owner, poller.result.exit_code if poller.result else -1)

        in_thread(f"pocketdock-exec-{exec_id}", follow)
