"""Finding the daemon as the TypeScript client does: ``POCKETDOCK_DAEMON`` (a socket path, or a
``ws://``/``http://`` address with ``POCKETDOCK_TOKEN``), else the default local socket. When no
daemon answers on a local socket, one is started in the background and waited for.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

from ._rpc import Daemon
from .errors import DaemonNotRunning

START_TIMEOUT_S = 20.0


def default_socket_path(env: os._Environ[str] | dict[str, str] = os.environ) -> str:
    uid = os.getuid()
    if uid == 0:
        return "/run/pocketdock/pocketdock.sock"
    runtime = env.get("XDG_RUNTIME_DIR")
    return f"{runtime}/pocketdock/pocketdock.sock" if runtime else f"/tmp/pocketdock-{uid}/pocketdock.sock"


def default_state_dir(env: os._Environ[str] | dict[str, str] = os.environ) -> str:
    if env.get("POCKETDOCK_STATE_DIR"):
        return env["POCKETDOCK_STATE_DIR"]
    if os.getuid() == 0:
        return "/var/lib/pocketdock"
    return f"{env.get('XDG_STATE_HOME') or str(Path.home() / '.local/state')}/pocketdock"


def _daemon_command() -> list[str]:
    """POCKETDOCKD, else the daemon built in the checkout this package sits in (with its package.json's
    node flags), else pocketdockd on PATH."""
    if os.environ.get("POCKETDOCKD"):
        return [os.environ["POCKETDOCKD"]]
    daemon = Path(__file__).resolve().parents[3] / "daemon"
    built = daemon / "dist" / "bin.js"
    node = shutil.which("node")
    if built.is_file() and node:
        flags = json.loads((daemon / "package.json").read_text()).get("nodeFlags", [])
        return [node, *flags, str(built)]
    return ["pocketdockd"]


def _answers(daemon: Daemon) -> bool:
    try:
        daemon.call("daemon.hello", {"client": "pocketdock-python"})
        return True
    except DaemonNotRunning:
        return False


def _start(socket_path: str, extra_args: list[str]) -> None:
    state = Path(default_state_dir())
    state.mkdir(parents=True, exist_ok=True, mode=0o700)
    log_path = state / "pocketdockd.log"
    command = [*_daemon_command(), "--socket", socket_path, *extra_args]
    with open(log_path, "ab") as log:
        try:
            child = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=log, stderr=log, start_new_session=True)
        except OSError as err:
            raise DaemonNotRunning(socket_path, message=f"could not start a daemon ({' '.join(command)}): {err}") from err
    daemon = Daemon(socket_path)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline and child.poll() is None:
        if _answers(daemon):
            return
        # No event crosses processes here: poll the socket until it answers.
        time.sleep(0.1)
    if child.poll() is None and _answers(daemon):
        return
    why = "timed out" if child.poll() is None else f"exited with {child.returncode}"
    try:
        tail = "\n".join(log_path.read_text(errors="replace").rstrip().splitlines()[-10:])
    except OSError:
        tail = ""
    raise DaemonNotRunning(socket_path, message=f"could not start a daemon on {socket_path} ({why})" + (f":\n{tail}" if tail else ""))


def connect(daemon: str | None = None, token: str | None = None, *, auto_start: bool = True,
            daemon_args: list[str] | None = None) -> Daemon:
    """The daemon at ``daemon`` (default POCKETDOCK_DAEMON, then the default socket), started if need be
    (with ``daemon_args`` as extra flags, e.g. ``["--port", "0"]``)."""
    address = daemon or os.environ.get("POCKETDOCK_DAEMON") or default_socket_path()
    if address.startswith("ws"):
        address = "http" + address[2:]
    found = Daemon(address.removesuffix("/rpc"), token or os.environ.get("POCKETDOCK_TOKEN"))
    if _answers(found):
        return found
    if not found.local or not auto_start:
        raise DaemonNotRunning(address, message=f"no pocketdock daemon answers at {address}"
                               + (" (start one with `pocketdockd`)" if found.local else ""))
    _start(address, list(daemon_args or []))
    return found


_shared: Daemon | None = None
_shared_lock = threading.Lock()


def shared() -> Daemon:
    """The daemon the module-level functions use, found (or started) on first use."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = connect()
        return _shared

