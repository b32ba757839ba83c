"""Leases: a script's non-persistent containers live while it does, and are removed after the
daemon's grace period once it has died without shutting them down; persistent ones stay."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from conftest import PACKAGE, DaemonProcess, unique
from pocketdock import ContainerNotFound
from pocketdock._rpc import Daemon

SCRIPT = """
import os, sys, time
import pocketdock
c = pocketdock.create_new_container(name=sys.argv[1])
p = pocketdock.create_new_container(name=sys.argv[2], persist=True)
print("created", flush=True)
sys.stdin.readline()  # held until the test has seen both alive past the grace period
os._exit(0)  # dies without shutting anything down
"""


def names(d: Daemon) -> set[str]:
    return {item["name"] for item in d.call("container.list")}


def test_a_dead_scripts_containers_are_reaped_after_the_grace(tmp_path):
    config = tmp_path / "daemon.yaml"
    config.write_text("leaseGraceSeconds: 2\n")
    d = DaemonProcess(args=("--config", str(config)))
    leased, kept = unique("leased"), unique("kept")
    try:
        env = {**os.environ, "POCKETDOCK_DAEMON": d.socket, "PYTHONPATH": str(PACKAGE)}
        child = subprocess.Popen([sys.executable, "-c", SCRIPT, leased, kept], env=env, text=True,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert child.stdout.readline().strip() == "created"
        daemon = Daemon(d.socket)
        time.sleep(4)  # twice the grace: only the script's heartbeat keeps its lease
        assert {leased, kept} <= names(daemon)
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.wait(timeout=30) == 0
        deadline = time.monotonic() + 60
        while leased in names(daemon) and time.monotonic() < deadline:
            time.sleep(0.5)  # the daemon reaps on its own clock; nothing announces it over HTTP
        assert leased not in names(daemon) and kept in names(daemon)
    finally:
        for name in (leased, kept):
            try:
                Daemon(d.socket).call("container.destroy", {"container": name})
            except ContainerNotFound:
                pass
        d.stop()
