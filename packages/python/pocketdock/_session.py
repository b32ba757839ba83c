"""Session: a persistent shell owned by the daemon, addressed by id; any client may hold one for it.

Commands run one at a time in the order the daemon receives them; cwd and variables persist.
After ``close()`` every call raises SessionClosed.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from ._follow import Poller, call_now, in_thread, start_offsets
from ._rpc import Daemon
from .errors import PocketDockError, SessionClosed
from .types import ExecResult, from_wire

Dispatch = Callable[..., None]


class SyncSession:
    def __init__(self, daemon: Daemon, session_id: str, dispatch: Dispatch = call_now) -> None:
        self._daemon = daemon
        self._id = session_id
        self._dispatch = dispatch
        self._closed: SessionClosed | None = None
        self._callbacks: list[Callable[[str], Any]] = []
        self._lock = threading.Lock()
        self.lost = 0
        """Bytes the last read() could not return: evicted from the daemon's buffer before anyone read them."""

    @property
    def id(self) -> str:
        """The session id (its shell's exec id)."""
        return self._id

    def send(self, command: str) -> None:
        """Queues a command without waiting; its output is kept for read()."""
        self._call("session.send", {"sessionId": self._id, "command": command})

    def send_and_wait(self, command: str, *, timeout: float | None = None) -> ExecResult:
        """Runs a command in the shell and returns its result; past ``timeout`` it is interrupted."""
        params: dict[str, Any] = {"sessionId": self._id, "command": command}
        if timeout is not None:
            params["timeout"] = timeout
        return from_wire(ExecResult, self._call("session.sendAndWait", params))

    def read(self) -> str:
        """What send() commands and background jobs printed since the last read, clearing it."""
        answer = self._call("session.read", {"sessionId": self._id})
        self.lost = answer["lost"]
        return str(answer["output"])

    def on_output(self, fn: Callable[[str], Any]) -> None:
        """Calls ``fn(data)`` with everything the session prints from now on, until it ends."""
        self._check()
        with self._lock:
            self._callbacks.append(fn)
            if len(self._callbacks) > 1:
                return
        poller = Poller(self._daemon, self._id, start_offsets(self._daemon, self._id))

        def follow() -> None:
            try:
                for chunk in poller.chunks():
                    for callback in list(self._callbacks):
                        self._dispatch(callback, chunk.data)
            except PocketDockError:
                pass  # the session or the daemon went away: nothing more will be printed

        in_thread(f"pocketdock-session-{self._id}", follow)

    def close(self) -> None:
        """Ends the shell (a running command is killed), not the container."""
        if self._closed:
            return
        try:
            self._daemon.call("session.close", {"sessionId": self._id})
        except SessionClosed:
            pass
        reason = "closed by this client"
        self._closed = SessionClosed(self._id, reason, message=f"session {self._id} is closed: {reason}")

    def _check(self) -> None:
        if self._closed:
            raise self._closed

    def _call(self, method: str, params: dict[str, Any]) -> Any:
        self._check()
        return self._daemon.call(method, params)

    def __repr__(self) -> str:
        return f"<Session {self._id}>"
