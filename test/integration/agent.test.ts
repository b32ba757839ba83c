// The in-container agent, on every engine that answers: info() says how commands run, no way of
// detaching escapes a timeout or a kill, and an agent that dies is started again. The exec and
// session suites run through it too (and once more without it: vitest's integration-engine-exec).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentBinary, agentVersion, VERSION_LINE } from '../../packages/agent/src/index.js';
import type { Container } from '../../client/src/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { availableEngines } from '../helpers/engines.js';

const engines = await availableEngines();

/** Every way a child can leave its parent, each ignoring SIGTERM; the tag makes their sleeps findable. */
const escapes = (tag: string) =>
  [
    "trap '' TERM",
    `sleep 97${tag}1 &`,
    `(sleep 97${tag}2 &)`,
    `setsid sleep 97${tag}3 &`,
    `nohup sleep 97${tag}4 >/dev/null 2>&1 &`,
    `env -i /bin/sleep 97${tag}5 &`,
    `(unset POCKETDOCK_EXEC; sleep 97${tag}6 &)`,
    'echo started',
    'wait',
  ].join('\n');

/** This machine's agent binary as another build would be: the same code, saying another version line. */
function otherBuild(): { ours: Buffer; other: Buffer } {
  const ours = readFileSync(agentBinary('amd64') ?? agentBinary('arm64')!);
  const other = Buffer.from(ours);
  const at = other.indexOf(agentVersion()) + VERSION_LINE.length + 1;
  other.write('fedcba9876543210', at, 'latin1');
  return { ours, other };
}

async function tarOf(name: string, data: Buffer): Promise<Buffer> {
  const pack = tar.pack();
  pack.entry({ name, mode: 0o755, uid: 0, gid: 0 }, data);
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const chunk of pack) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe('through the agent', () => {
  const suite = useDaemon();

  describe.each(engines)('on $name', (e) => {
    let c: Container;
    const left = async (tag: string) =>
      (await c.run('ps -eo args')).stdout.split('\n').filter((l) => l.startsWith(`sleep 97${tag}`) || l.startsWith(`/bin/sleep 97${tag}`));

    beforeAll(async () => {
      c = await suite.pd.createNewContainer({ socketPath: e.socketPath });
    });

    afterAll(async () => {
      await c?.shutdown({ force: true }).catch(() => undefined);
    });

    it('runs the commands, and info() says so', async () => {
      expect(await c.run('echo out; echo err >&2; exit 3')).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
      expect(await c.info()).toMatchObject({ execVia: 'agent', execNote: '' });
    });

    it("starts a run in the agent's spare shell with what a cold start gives: stdin, marker, messages, exit code", async () => {
      // The image's sh is dash: the script goes to a `sh -s` the agent started ahead (packages/agent/src/spare.h).
      const script =
        "head -c 6 /proc/$$/cmdline | tr '\\0' ' '; echo; cat; readlink /proc/self/fd/0; [ -n \"$POCKETDOCK_EXEC\" ] && echo marked\npocketdock-no-such-command";
      expect(await c.run(script)).toMatchObject({
        exitCode: 127,
        stdout: 'sh -s \n/dev/null\nmarked\n',
        stderr: 'sh: 2: pocketdock-no-such-command: not found\n',
      });
    });

    it('leaves nothing of a timed-out command, however its children detached', async () => {
      const r = await c.run(escapes('1'), { timeout: 1 });
      expect(r).toMatchObject({ timedOut: true, exitCode: 137, stdout: 'started\n' });
      expect(await left('1')).toEqual([]);
    });

    it('leaves nothing of a detached process killed with 15 then 9', async () => {
      const p = await c.run(escapes('2'), { detach: true });
      await expect.poll(async () => (await p.peek()).stdout).toBe('started\n');
      expect(await left('2')).toHaveLength(6);
      await p.kill(15);
      await p.kill(9);
      expect((await p.wait({ timeout: 10 })).exitCode).toBe(137);
      expect(await left('2')).toEqual([]);
    });

    it('leaves nothing of a session command that timed out', async () => {
      const s = await c.session();
      const r = await s.sendAndWait(escapes('3').replace('wait', 'sleep 300'), { timeout: 1 });
      expect(r).toMatchObject({ timedOut: true, stdout: 'started\n' });
      expect(await left('3')).toEqual([]);
      expect(await s.sendAndWait('echo usable')).toMatchObject({ stdout: 'usable\n', exitCode: 0 });
      await s.close();
    });

    it('is started again when it dies, and a process it ran ends with an unknown exit code', async () => {
      const p = await c.run('sleep 600', { detach: true });
      // What a command in the sandbox could do: kill the agent (the bracket keeps pkill from matching itself).
      await c.run("pkill -9 -f '[.]pocketdock-agent'");
      expect((await p.wait({ timeout: 10 })).exitCode).toBe(-1);
      expect(await c.run('echo back')).toMatchObject({ exitCode: 0, stdout: 'back\n' });
      expect((await c.info()).execVia).toBe('agent');
    });

    it('replaces an agent binary of another build that it finds where it copied its own, and never runs a command through it', async () => {
      expect(await c.run('echo first')).toMatchObject({ stdout: 'first\n' });
      // Its arguments, when it has a door (exec/doors.ts), follow the path.
      const path = (await c.run('ps -eo args')).stdout
        .split('\n')
        .map((l) => l.trim().split(' ')[0]!)
        .find((l) => /\/\.pocketdock-agent-\w+$/.test(l))!;
      const { ours, other } = otherBuild();
      // What a sandbox whose user is root, or a daemon of another version, could leave there; then the agent dies.
      await e.docker.getContainer(c.containerId).putArchive(await tarOf(basename(path), other), { path: dirname(path) });
      expect((await c.run(`sha256sum ${path}`)).stdout).toContain(sha256(other));
      await c.run("pkill -9 -f '[.]pocketdock-agent'");
      expect(await c.run('echo back')).toMatchObject({ exitCode: 0, stdout: 'back\n' });
      expect((await c.info()).execVia).toBe('agent');
      expect((await c.run(`sha256sum ${path}`)).stdout).toContain(sha256(ours));
      expect(suite.d.log()).toMatch(/is another agent build \(\\"pocketdock-agent 1 fedcba9876543210\\"/);
    });

    it('runs commands as engine execs in an image with no place the agent can run from, and info() says why', async () => {
      // An image whose /tmp is no directory (a missing one, Podman would make): nothing can be copied
      // there, and the other place, /dev/shm, is mounted noexec by both engines.
      const image = `pd-agent-test-no-tmp-${e.name}-${process.pid}`;
      const base = await suite.pd.createNewContainer({ socketPath: e.socketPath });
      let c2: Container | undefined;
      try {
        const rm = await e.docker
          .getContainer(base.containerId)
          .exec({ Cmd: ['sh', '-c', 'rm -rf /tmp && touch /tmp'], User: 'root', AttachStdout: true, AttachStderr: true });
        const out = await rm.start({ hijack: true, stdin: false });
        out.resume();
        await new Promise((resolve) => out.once('end', resolve).once('close', resolve));
        expect((await rm.inspect()).ExitCode).toBe(0);
        await base.snapshot(image);
        c2 = await suite.pd.createNewContainer({ image, socketPath: e.socketPath });
        expect(await c2.run('echo out; echo err >&2; exit 3')).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
        const info = await c2.info();
        expect(info).toMatchObject({
          execVia: 'engine',
          execNote: expect.stringContaining('no place in the container where the agent runs'),
        });
        expect(info.execNote).toMatch(/\/tmp: .*\/dev\/shm: /);
        let streamed = '';
        for await (const ch of c2.run('echo a; echo b', { stream: true })) streamed += ch.data;
        expect(streamed).toBe('a\nb\n');
        const r = await c2.run(escapes('7'), { timeout: 1 });
        expect(r).toMatchObject({ timedOut: true, stdout: 'started\n' });
      } finally {
        await c2?.shutdown({ force: true }).catch(() => undefined);
        await base.shutdown({ force: true }).catch(() => undefined);
        await e.docker
          .getImage(image)
          .remove({ force: true })
          .catch(() => undefined);
      }
    });
  });
});

describe('without agents (--no-agent)', () => {
  const suite = useDaemon({ args: ['--no-agent'] });

  it('runs commands as engine execs, and info() says why', async () => {
    const c = await suite.pd.createNewContainer({});
    try {
      expect(await c.run('echo out')).toMatchObject({ exitCode: 0, stdout: 'out\n' });
      expect(await c.info()).toMatchObject({ execVia: 'engine', execNote: expect.stringContaining('--no-agent') });
    } finally {
      await c.shutdown({ force: true });
    }
  });
});
