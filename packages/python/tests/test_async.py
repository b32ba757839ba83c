"""pocketdock.async_: the same API as coroutines, callbacks on the loop's thread."""

from __future__ import annotations

import asyncio
import threading

import pytest

import pocketdock
from conftest import destroy, unique
from pocketdock import async_ as pda
from pocketdock import BufferSnapshot, ExecResult, StreamChunk


def run(coro):
    return asyncio.run(asyncio.wait_for(coro, 120))


def test_container_run_in_every_mode(daemon):
    async def main():
        async with await pda.create_new_container(name=unique("async"), timeout=15) as c:
            assert isinstance(c, pda.AsyncContainer) and c.name.startswith("pytest-") and c.timeout == 15
            r = await c.run("echo hi")
            assert isinstance(r, ExecResult) and r.stdout == "hi\n"
            s = await c.run("echo a; sleep 0.2; echo b >&2", stream=True)
            assert isinstance(s, pda.AsyncExecStream)
            chunks = [ch async for ch in s]
            assert all(isinstance(ch, StreamChunk) for ch in chunks) and s.result.stderr == "b\n"
            printed = asyncio.Event()
            c.on_stdout(lambda cc, data: printed.set())
            p = await c.run("printf x; sleep 60", detach=True)
            assert isinstance(p, pda.AsyncProcess) and await p.is_running()
            with pytest.raises(TimeoutError):
                await p.wait(timeout=0.2)
            # The daemon buffers output before it sends it: once "x" has arrived here, peek finds it.
            await printed.wait()
            assert p.peek() == BufferSnapshot(stdout="x") and p.buffer_size == 1 and p.buffer_overflow is False
            await p.kill()
            assert (await p.wait()).exit_code == 143
            assert p.read() == BufferSnapshot(stdout="x") and p.read() == BufferSnapshot()
            return c.name

    name = run(main())
    with pytest.raises(pocketdock.ContainerNotFound):
        pocketdock.stop_container(name)


def test_callbacks_run_on_the_loop_thread(daemon):
    async def main():
        async with await pda.create_new_container(name=unique("async-cb")) as c:
            loop_thread = threading.current_thread()
            done = asyncio.Event()
            got = []
            c.on_stdout(lambda cc, data: got.append((cc is c, threading.current_thread() is loop_thread, data)))
            c.on_stderr(lambda cc, data: got.append((cc is c, threading.current_thread() is loop_thread, data)))
            c.on_exit(lambda cc, code: done.set())
            await c.run("echo out; echo err >&2", detach=True)
            await done.wait()
            assert sorted(d for _, _, d in got) == ["err\n", "out\n"] and all(a and b for a, b, _ in got)

    run(main())


def test_session_files_and_lifecycle(daemon, tmp_path):
    async def main():
        name = unique("async-life")
        c = await pda.create_new_container(name=name, persist=True)
        try:
            s = await c.session()
            assert isinstance(s, pda.AsyncSession) and s.id
            await s.send_and_wait("cd /tmp")
            assert (await s.send_and_wait("pwd")).stdout == "/tmp\n"
            heard = asyncio.Event()
            s.on_output(lambda data: heard.set())
            await s.send("echo bg")
            await heard.wait()
            assert (await s.send_and_wait("true")).ok and s.read() == "bg\n"
            await s.close()
            with pytest.raises(pocketdock.SessionClosed):
                s.read()
            await c.write_file("/home/sandbox/f.txt", "F")
            assert await c.read_file("/home/sandbox/f.txt") == b"F"
            assert "f.txt" in await c.list_files()
            (tmp_path / "up").write_text("U")
            await c.push(tmp_path / "up", "/home/sandbox/up")
            await c.pull("/home/sandbox/up", tmp_path / "down")
            assert (tmp_path / "down").read_text() == "U"
            assert (await c.info()).status == "running"
            await c.reboot()
            await c.shutdown()
            assert [i.status for i in await pda.list_containers() if i.name == name] == ["exited"]
            again = await pda.resume_container(name)
            assert await again.read_file("/home/sandbox/f.txt") == b"F"
            await pda.stop_container(name)
            assert await pda.prune(project=unique("nothing")) == 0
            with pytest.raises(pocketdock.ProjectNotInitialized):
                await pda.doctor(project_root=tmp_path)
        finally:
            await pda.destroy_container(name)

    run(main())


def test_attach_and_snapshot(daemon):
    async def main():
        async with await pda.create_new_container(name=unique("async-attach")) as c:
            p = await c.run("sleep 60", detach=True)
            other = await pda.attach_process(p.id)
            await other.kill(9)
            assert (await p.wait()).exit_code == 137
            s = await c.session()
            same = await pda.attach_session(s.id)
            assert (await same.send_and_wait("echo $0")).ok
            await s.close()

    run(main())
