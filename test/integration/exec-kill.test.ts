// Timeouts and kill act inside the container on everything the command started: a command that
// ignores SIGTERM and leaves a background child is gone after its timeout; exit codes are real.
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

  describe('Process.kill', () => {
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
