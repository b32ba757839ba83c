"""Sessions: one long-lived shell whose state persists; send, send_and_wait, read, on_output, close."""

from __future__ import annotations

import threading

import pytest

import pocketdock
from pocketdock import ExecResult, SessionClosed


def test_state_persists_between_commands(container):
    s = container.session()
    assert isinstance(s, pocketdock.Session) and s.id
    assert s.send_and_wait("cd /tmp && export X=1").ok
    r = s.send_and_wait("pwd; echo $X; echo e >&2; false")
    assert isinstance(r, ExecResult)
    assert (r.stdout, r.stderr, r.exit_code) == ("/tmp\n1\n", "e\n", 1)
    s.close()


def test_send_and_wait_timeout_interrupts_and_the_session_goes_on(container):
    s = container.session()
    r = s.send_and_wait("sleep 30", timeout=1)
    assert r.timed_out and not r.ok
    assert s.send_and_wait("echo still").stdout == "still\n"
    s.close()


def test_send_is_fire_and_forget_and_read_drains(container):
    s = container.session()
    s.send("echo one")
    s.send_and_wait("true")  # commands run in order: "one" has been printed by now
    assert s.read() == "one\n"
    assert s.read() == ""
    s.close()


def test_on_output_gets_what_the_session_prints(container):
    s = container.session()
    got: list[str] = []
    seen = threading.Event()

    def collect(data: str) -> None:
        got.append(data)
        if "two" in "".join(got):
            seen.set()

    s.on_output(collect)
    s.send("echo one; echo two")
    assert seen.wait(30)
    assert "".join(got) == "one\ntwo\n"
    s.close()


def test_calls_after_close_raise_session_closed(container):
    s = container.session()
    s.close()
    s.close()  # twice is fine
    for call in (lambda: s.send("true"), lambda: s.send_and_wait("true"), s.read):
        with pytest.raises(SessionClosed) as err:
            call()
        assert err.value.session_id == s.id and err.value.reason


def test_attach_session_from_another_handle(container):
    s = container.session()
    other = pocketdock.attach_session(s.id)
    s.send_and_wait("export SHARED=yes")
    assert other.send_and_wait("echo $SHARED").stdout == "yes\n"
    s.close()
    with pytest.raises(SessionClosed):
        pocketdock.attach_session(s.id)
