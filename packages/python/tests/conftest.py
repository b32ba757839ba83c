"""A real pocketdockd for the suite: the checkout's built daemon on a temporary socket and state dir,
on Docker (or $POCKETDOCK_SOCKET), found by the client through POCKETDOCK_DAEMON as a user's would be.
Every container a test makes is named with this run's prefix and removed by the test."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from typing import Iterator

import pytest

PACKAGE = Path(__file__).resolve().parents[1]
REPO = PACKAGE.parents[1]
DAEMON_BIN = REPO / "daemon" / "dist" / "bin.js"
DOCKER = "/var/run/docker.sock"
RUN = uuid.uuid4().hex[:6]

sys.path.insert(0, str(PACKAGE))

import pocketdock  # noqa: E402
from pocketdock import _connect  # noqa: E402


class DaemonProcess:
    def __init__(self, tcp: bool = False, args: tuple[str, ...] = ()) -> None:
        self.dir = tempfile.mkdtemp(prefix="pd-pytest-")
        self.socket = os.path.join(self.dir, "pocketdock.sock")
        env = {**os.environ}
        if os.path.exists(DOCKER):
            env.setdefault("POCKETDOCK_SOCKET", DOCKER)
        self.engine = env.get("POCKETDOCK_SOCKET", "")
        self.child = subprocess.Popen(
            ["node", str(DAEMON_BIN), "--socket", self.socket, "--state-dir", self.dir,
             "--port", "0" if not tcp else str(free_port()), "--log-level", "warn", *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, text=True)
        self.port: int | None = None
        lines = []
        # The daemon says where it listens once it does: its first line is the event to wait for.
        for line in self.child.stderr:  # type: ignore[union-attr]
            lines.append(line)
            match = re.search(r"listening on \S+(?: and http://127\.0\.0\.1:(\d+))?", line)
            if match:
                self.port = int(match.group(1)) if match.group(1) else None
                break
        else:
            raise RuntimeError("daemon exited before listening:\n" + "".join(lines))
        self.token = Path(self.dir, "token").read_text().strip()

    def stop(self) -> None:
        if self.child.poll() is None:
            self.child.terminate()
            self.child.wait(timeout=30)
        shutil.rmtree(self.dir, ignore_errors=True)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def daemon() -> Iterator[DaemonProcess]:
    if not DAEMON_BIN.is_file():
        pytest.fail(f"{DAEMON_BIN} is missing: build with `npx tsc -b` first")
    d = DaemonProcess()
    saved = os.environ.get("POCKETDOCK_DAEMON")
    os.environ["POCKETDOCK_DAEMON"] = d.socket
    _connect._shared = None
    yield d
    _connect._shared = None
    if saved is None:
        os.environ.pop("POCKETDOCK_DAEMON", None)
    else:
        os.environ["POCKETDOCK_DAEMON"] = saved
    d.stop()


def unique(what: str = "c") -> str:
    """A container name owned by this run."""
    return f"pytest-{RUN}-{what}-{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="module")
def shared_container(daemon: DaemonProcess) -> Iterator[pocketdock.Container]:
    c = pocketdock.create_new_container(name=unique(), timeout=20)
    try:
        yield c
    finally:
        destroy(c.name)


@pytest.fixture
def container(shared_container: pocketdock.Container) -> pocketdock.Container:
    """The module's container through a handle of its own, so that callbacks start empty."""
    return pocketdock.resume_container(shared_container.name, timeout=20)


def destroy(name: str) -> None:
    """Removes a test's container, whether or not the test already did."""
    try:
        pocketdock.destroy_container(name)
    except pocketdock.ContainerNotFound:
        pass
