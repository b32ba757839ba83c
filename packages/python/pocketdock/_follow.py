"""Following an exec's output by long-poll (``exec.poll``): each stream is an append-only byte log
with absolute offsets, so a follower asks for what lies after the offsets it has, and is told how
many bytes were evicted before it could read them. Also the thread helpers callbacks run on.
"""

from __future__ import annotations

import threading
import traceback
from typing import Any, Callable, Iterator

from ._rpc import Daemon
from .types import ExecResult, StreamChunk, from_wire

#: How long one poll waits for new output before asking again (the protocol allows up to 60 s).
POLL_WAIT_MS = 20_000
STREAMS = ("stdout", "stderr")


class Poller:
    """Reads one exec from ``offsets`` (default: the oldest byte still buffered) until it has ended."""

    def __init__(self, daemon: Daemon, exec_id: str, offsets: dict[str, int] | None = None) -> None:
        self.daemon = daemon
        self.exec_id = exec_id
        self.offsets: dict[str, int] = dict(offsets or {})
        self.text: dict[str, list[str]] = {s: [] for s in STREAMS}
        self.lost = 0
        self.result: ExecResult | None = None

    def chunks(self) -> Iterator[StreamChunk]:
        """The output as it arrives; ``result`` is set (stdout/stderr: what arrived) once it is all read."""
        while self.result is None:
            params: dict[str, Any] = {"execId": self.exec_id, "waitMs": POLL_WAIT_MS}
            if self.offsets:
                params["offsets"] = self.offsets
            answer = self.daemon.call("exec.poll", params)
            got = False
            for stream in STREAMS:
                piece = answer[stream]
                self.offsets[stream] = piece["next"]
                self.lost += piece["lost"]
                if piece["data"]:
                    got = True
                    self.text[stream].append(piece["data"])
                    yield StreamChunk(stream, piece["data"])  # type: ignore[arg-type]
            # Ended and nothing left after our offsets: everything has been read.
            if answer["result"] is not None and not got:
                wire = {**answer["result"], "stdout": "".join(self.text["stdout"]), "stderr": "".join(self.text["stderr"])}
                self.result = from_wire(ExecResult, wire)


def in_thread(name: str, fn: Callable[[], None]) -> threading.Thread:
    """Runs ``fn`` on a daemon thread: a follower never keeps the interpreter from exiting."""
    thread = threading.Thread(target=fn, name=name, daemon=True)
    thread.start()
    return thread


def start_offsets(daemon: Daemon, exec_id: str) -> dict[str, int]:
    """Where an exec's streams end now: a follower that starts there gets only what comes next."""
    return dict(daemon.call("exec.info", {"execId": exec_id})["offsets"])


def call_now(fn: Callable[..., Any], *args: Any) -> None:
    """How the sync API runs a callback: at once, on the follower's thread (a failing one is
    reported on stderr and does not stop the others)."""
    try:
        fn(*args)
    except Exception:
        traceback.print_exc()
