// Timeouts and kill act inside the container on everything the command started, however it tried
// to get away (a TERM-ignoring child of a shell that dies on TERM, env -i, unset POCKETDOCK_EXEC,
// nohup, setsid, a double fork), checked with ps; exit codes describe the whole tree.
// On every engine that answers: the signal helper and exit codes are where engines differ.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Container } from '../../client/src/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { availableEngines } from '../helpers/engines.js';

const engines = await availableEngines();
const suite = useDaemon();

/** Ignores SIGTERM, and so does the background child it leaves behind. */
const stubborn = (tag: string) => `trap '' TERM; (trap '' TERM; sleep 99${tag}) & sleep 98${tag}`;

describe.each(engines)('on $name', (e) => {
  let c: Container;
  const processes = async () => (await c.run('ps -eo args')).stdout;

  beforeAll(async () => {
    c = await suite.pd.createNewContainer({ socketPath: e.socketPath });
  });

  afterAll(async () => {
    await c?.shutdown({ force: true }).catch(() => undefined);
  });

  describe('timeouts', () => {
    it('stop a TERM-trapping command and its background child, and say so', async () => {
      const r = await c.run(stubborn('1'), { timeout: 0.5 });
      expect(r).toMatchObject({ timedOut: true, exitCode: 137, ok: false });
      const ps = await processes();
      expect(ps).not.toContain('sleep 991');
      expect(ps).not.toContain('sleep 981');
    });

    it('stop a streamed run the same way', async () => {
      const s = c.run(`echo up; ${stubborn('2')}`, { stream: true, timeout: 0.5 });
      const chunks: string[] = [];
      for await (const ch of s) chunks.push(ch.data);
      expect(chunks).toEqual(['up\n']);
      expect(s.result).toMatchObject({ timedOut: true, exitCode: 137 });
      expect(await processes()).not.toMatch(/sleep 9[89]2/);
    });

    it('end a command that honours SIGTERM with 143', async () => {
      expect(await c.run('sleep 973', { timeout: 0.5 })).toMatchObject({ timedOut: true, exitCode: 143 });
    });

    it('leave timedOut false when the command ends on its own', async () => {
      expect(await c.run('sleep 0.1; exit 4', { timeout: 5 })).toMatchObject({ timedOut: false, exitCode: 4, ok: false });
    });
  });

  describe('nothing escapes a timeout', () => {
    // Each leaves a TERM-ignoring `sleep 9NN` behind the main shell, which itself dies on SIGTERM.
    const escapes: [string, (n: number) => string][] = [
      ['a TERM-ignoring background child', (n) => `(trap '' TERM; sleep ${n}) & sleep ${n + 1}`],
      ['a shell inside the command', (n) => `sh -c 'trap "" TERM; sleep ${n} & wait; :'; sleep ${n + 1}`],
      ['env -i', (n) => `env -i sh -c 'trap "" TERM; sleep ${n}' & sleep ${n + 1}`],
      ['unset POCKETDOCK_EXEC', (n) => `unset POCKETDOCK_EXEC; (trap '' TERM; sleep ${n}) & sleep ${n + 1}`],
      ['nohup', (n) => `nohup sh -c 'trap "" TERM; sleep ${n}' >/dev/null 2>&1 & sleep ${n + 1}`],
      ['setsid', (n) => `setsid sh -c 'trap "" TERM; sleep ${n}' >/dev/null 2>&1 & sleep ${n + 1}`],
      ['a double fork with env -i and setsid', (n) => `(env -i setsid sh -c 'trap "" TERM; sleep ${n}' >/dev/null 2>&1 &); sleep ${n + 1}`],
    ];
    it.each(escapes.map(([name, cmd], i) => [name, cmd(900 + 2 * i)] as const))('%s: %s', async (_name, cmd) => {
      const r = await c.run(cmd, { timeout: 0.5 });
      expect(r).toMatchObject({ timedOut: true, exitCode: 137, ok: false });
      expect(await processes()).not.toMatch(/sleep 9[0-9][0-9]/);
    });

    it("nor a session command's, while an earlier command's job lives on", async () => {
      const s = await c.session();
      await s.sendAndWait('sleep 931 >/dev/null 2>&1 &');
      const r = await s.sendAndWait(
        `env -i sh -c 'trap "" TERM; sleep 932' & (unset POCKETDOCK_EXEC; setsid sh -c 'trap "" TERM; sleep 933' &); sleep 934`,
        { timeout: 0.5 },
      );
      expect(r.timedOut).toBe(true);
      const ps = await processes();
      expect(ps).toContain('sleep 931');
      expect(ps).not.toMatch(/sleep 93[234]/);
      expect((await s.sendAndWait('echo still here')).stdout).toBe('still here\n');
      await s.close();
    });
  });

  describe('Process.kill', () => {
    it('15 then 9 ends what nohup started: the process runs until nothing of it is left', async () => {
      const p = await c.run(
        `echo armed; nohup sh -c 'trap "" TERM; sleep 941' >/dev/null 2>&1 & env -i setsid sh -c 'trap "" TERM; sleep 942' & sleep 943`,
        { detach: true },
      );
      await expect.poll(processes).toContain('sleep 942');
      await p.kill(15);
      await expect.poll(processes).not.toContain('sleep 943');
      expect(await p.isRunning()).toBe(true);
      await p.kill(9);
      expect(await p.wait({ timeout: 10 })).toMatchObject({ exitCode: 137 });
      expect(await processes()).not.toMatch(/sleep 94[123]/);
    });

    it('kill(15) ends a process with 143, kill(9) with 137, background children included', async () => {
      const term = await c.run('sleep 961 & sleep 962; wait', { detach: true });
      const nine = await c.run(stubborn('3'), { detach: true });
      await expect.poll(processes).toContain('sleep 993');
      await term.kill();
      await nine.kill(9);
      expect((await term.wait({ timeout: 10 })).exitCode).toBe(143);
      expect((await nine.wait({ timeout: 10 })).exitCode).toBe(137);
      expect(await processes()).not.toMatch(/sleep (961|962|993|983)/);
    });

    it('kill(15) on a TERM-trapping process leaves it running; wait({ timeout }) says it still runs', async () => {
      const p = await c.run(`echo armed; ${stubborn('4')}`, { detach: true });
      await expect.poll(async () => (await p.peek()).stdout).toBe('armed\n');
      await p.kill(15);
      await expect(p.wait({ timeout: 0.3 })).rejects.toMatchObject({ name: 'TimeoutError' });
      expect(await p.isRunning()).toBe(true);
      await p.kill(9);
      expect((await p.wait({ timeout: 10 })).exitCode).toBe(137);
    });
  });
});
