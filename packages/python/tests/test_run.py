"""Container.run in its three modes, with every option, and the container's callbacks."""

from __future__ import annotations

import threading
import time

import pytest

import pocketdock
from pocketdock import BufferSnapshot, ExecResult, StreamChunk


def test_blocking_run_returns_an_exec_result(container):
    r = container.run("echo out; echo err >&2; exit 3")
    assert isinstance(r, ExecResult)
    assert (r.exit_code, r.stdout, r.stderr, r.timed_out, r.truncated, r.ok) == (3, "out\n", "err\n", False, False, False)
    assert r.duration_ms >= 0
    ok = container.run("whoami; pwd")
    assert ok.ok and ok.stdout == "sandbox\n/home/sandbox\n"


def test_lang_python_runs_the_text_with_python(container):
    assert container.run("print(6 * 7)", lang="python").stdout == "42\n"
    assert container.run("echo $0", lang="bash").stdout == "bash\n"


def test_timeout_stops_the_command_and_sets_timed_out(container):
    r = container.run("sleep 30", timeout=1)
    assert r.timed_out and not r.ok and r.exit_code in (137, 143)


def test_container_timeout_is_the_default(daemon):
    from conftest import destroy, unique

    c = pocketdock.create_new_container(name=unique(), timeout=1)
    try:
        assert c.timeout == 1
        assert c.run("sleep 30").timed_out
    finally:
        destroy(c.name)


def test_max_output_cuts_and_sets_truncated(container):
    r = container.run("head -c 5000 /dev/zero | tr '\\0' x", max_output=100)
    assert r.truncated and r.stdout == "x" * 100


def test_stream_yields_chunks_then_result(container):
    s = container.run("for i in 1 2 3; do echo $i; sleep 0.1; done; echo e >&2", stream=True)
    assert isinstance(s, pocketdock.ExecStream) and s.result is None
    chunks = list(s)
    assert all(isinstance(c, StreamChunk) for c in chunks)
    assert "".join(c.data for c in chunks if c.stream == "stdout") == "1\n2\n3\n"
    assert "".join(c.data for c in chunks if c.stream == "stderr") == "e\n"
    assert s.result == ExecResult(exit_code=0, stdout="1\n2\n3\n", stderr="e\n", duration_ms=s.result.duration_ms)


def test_stream_can_be_iterated_once(container):
    s = container.run("true", stream=True)
    list(s)
    with pytest.raises(RuntimeError):
        iter(s)


def test_leaving_a_stream_early_stops_the_command(container):
    s = container.run("echo first; sleep 60; echo never", stream=True)
    for chunk in s:
        assert chunk.data == "first\n"
        break
    assert container.run("pgrep -f 'sleep 6[0]' || echo none").stdout.strip() == "none"


def test_detach_returns_a_process(container):
    p = container.run("echo a; echo b >&2; exit 4", detach=True)
    assert isinstance(p, pocketdock.Process) and p.id
    r = p.wait()
    assert (r.exit_code, r.ok) == (4, False)
    assert p.is_running() is False


def test_callbacks_fire_for_every_detached_process(container):
    out: list[str] = []
    err: list[str] = []
    exits: list[tuple[object, int]] = []
    both_done = threading.Semaphore(0)
    container.on_stdout(lambda c, data: out.append(data))
    container.on_stderr(lambda c, data: err.append(data))

    def exited(c, code):
        exits.append((c, code))
        both_done.release()

    container.on_exit(exited)
    container.run("echo one; echo two >&2", detach=True)
    container.run("echo three; exit 5", detach=True)
    assert both_done.acquire(timeout=30) and both_done.acquire(timeout=30)
    assert sorted("".join(out).split()) == ["one", "three"] and "".join(err) == "two\n"
    assert sorted(code for _, code in exits) == [0, 5] and all(c is container for c, _ in exits)


def test_callbacks_added_later_see_what_is_buffered(container):
    p = container.run("echo early; sleep 0.5; echo late", detach=True)
    p.wait()
    got: list[str] = []
    done = threading.Event()
    container.on_stdout(lambda c, data: got.append(data))
    container.on_exit(lambda c, code: done.set())
    assert done.wait(30)
    assert "".join(got) == "early\nlate\n"


def test_process_buffer_read_consumes_and_peek_does_not(container):
    p = container.run("printf abc; printf xy >&2", detach=True)
    p.wait()
    assert p.buffer_size == 5 and p.buffer_overflow is False
    assert p.peek() == BufferSnapshot(stdout="abc", stderr="xy")
    assert p.peek() == BufferSnapshot(stdout="abc", stderr="xy")
    assert p.read() == BufferSnapshot(stdout="abc", stderr="xy")
    assert p.read() == BufferSnapshot(stdout="", stderr="")
    assert p.buffer_size == 0


def test_process_buffer_overflow_after_a_mebibyte(container):
    p = container.run("head -c 1100000 /dev/zero | tr '\\0' x", detach=True)
    p.wait()
    assert p.buffer_overflow is True and p.buffer_size == 1024 * 1024


def test_kill_defaults_to_sigterm_and_accepts_a_signal(container):
    p = container.run("sleep 60", detach=True)
    assert p.is_running()
    p.kill()
    assert p.wait(timeout=20).exit_code == 143
    q = container.run("sleep 60", detach=True)
    q.kill(9)
    assert q.wait(timeout=20).exit_code == 137


def test_wait_with_a_timeout_raises_timeout_error(container):
    p = container.run("sleep 60", detach=True)
    with pytest.raises(TimeoutError):
        p.wait(timeout=0.2)
    p.kill(9)


def test_attach_process_from_another_handle(container):
    p = container.run("echo shared; sleep 60", detach=True)
    other = pocketdock.attach_process(p.id)
    assert other.is_running()
    # A process has no output event to wait on: peek until the echo ran, so the kill cannot come before it.
    deadline = time.monotonic() + 20
    while other.peek().stdout != "shared\n" and time.monotonic() < deadline:
        time.sleep(0.02)
    other.kill()
    assert p.wait(timeout=20).exit_code == 143
    assert other.read().stdout == "shared\n"
