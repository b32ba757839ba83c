"""Finding the daemon: POCKETDOCK_DAEMON, and one started in the background when none answers."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from conftest import PACKAGE, REPO
from pocketdock import _connect


def test_a_daemon_is_started_when_none_answers(tmp_path, monkeypatch):
    monkeypatch.setenv("POCKETDOCK_STATE_DIR", str(tmp_path))
    socket = str(tmp_path / "auto.sock")
    daemon = _connect.connect(socket, daemon_args=["--port", "0", "--state-dir", str(tmp_path), "--log-level", "warn"])
    hello = daemon.call("daemon.hello")
    try:
        assert hello["daemon"] == "pocketdockd" and os.path.exists(socket)
        assert _connect.connect(socket).call("daemon.hello")["pid"] == hello["pid"]  # found, not started again
        assert (tmp_path / "pocketdockd.log").exists()
        # node with the daemon's node flags, running the checkout's daemon
        flags = json.loads((REPO / "daemon" / "package.json").read_text())["nodeFlags"]
        argv = Path(f"/proc/{hello['pid']}/cmdline").read_bytes().decode().split("\0")
        assert argv[1 : len(flags) + 2] == [*flags, str(REPO / "daemon" / "dist" / "bin.js")]
    finally:
        os.kill(hello["pid"], signal.SIGTERM)


def test_the_module_functions_find_the_daemon_through_the_environment(daemon):
    script = "import pocketdock; print(len(pocketdock.list_profiles()))"
    env = {**os.environ, "POCKETDOCK_DAEMON": daemon.socket, "PYTHONPATH": str(PACKAGE)}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "6"


def test_default_paths_follow_the_typescript_client(monkeypatch):
    if os.getuid() == 0:
        assert _connect.default_socket_path() == "/run/pocketdock/pocketdock.sock"
    else:
        monkeypatch.setenv("XDG_RUNTIME_DIR", "/run/user/1000")
        assert _connect.default_socket_path() == "/run/user/1000/pocketdock/pocketdock.sock"
    monkeypatch.setenv("POCKETDOCK_STATE_DIR", "/somewhere")
    assert _connect.default_state_dir() == "/somewhere"
