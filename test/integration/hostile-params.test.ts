// Params a client cannot send, against the real daemon: a BigInt, a cycle, 100 000-deep nesting, a
// getter that throws — each fails the call with InvalidParams on field params, a streamed run too
// (its stream ends with that error, nothing is left subscribed); so does a message past the size
// the daemon reads (it would close the connection). The connection goes on, nothing refused runs.
import { describe, expect, it } from 'vitest';
import { InvalidParams } from '../../client/src/index.js';
import { useSandbox } from '../helpers/daemon.js';

const suite = useSandbox();

function unsendable(): Record<string, unknown>[] {
  let deep: Record<string, unknown> = {};
  for (let i = 0; i < 100_000; i++) deep = { deep };
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  const throwing = {
    get X() {
      throw new Error('no value for you');
    },
  };
  return [deep, cyclic, { n: 1n }, throwing];
}

describe('params JSON cannot carry', () => {
  it('fail a blocking, a detached and a streamed run with InvalidParams on params; nothing runs', async () => {
    for (const bad of unsendable()) {
      const timeout = bad as unknown as number; // what a JavaScript caller can pass anyway
      const tag = `hostile-params-${Math.random().toString(36).slice(2)}`;
      await expect(suite.c.run(`echo ${tag}`, { timeout })).rejects.toMatchObject({ name: 'InvalidParams', field: 'params' });
      await expect(suite.c.run(`sleep 60 # ${tag}`, { detach: true, timeout })).rejects.toBeInstanceOf(InvalidParams);
      const s = suite.c.run(`echo ${tag}`, { stream: true, timeout });
      const iterated = (async () => {
        for await (const chunk of s) expect(chunk).toBeUndefined();
      })();
      await expect(iterated).rejects.toMatchObject({ name: 'InvalidParams', field: 'params' });
      await expect(s).rejects.toBeInstanceOf(InvalidParams);
      expect((await suite.pd.transport.call('exec.list', { container: suite.c.name })).map((e) => e.command).join('\n')).not.toContain(tag);
    }
    expect((await suite.c.run('echo still')).stdout).toBe('still\n');
  });

  it("a message past the daemon's maxMessageBytes fails typed, unsent; the connection and its streams go on", async () => {
    const huge = 'a'.repeat(80 * 1024 * 1024);
    const s = suite.c.run('echo up; exec sleep 631', { stream: true, timeout: 600 });
    const iterated = (async () => {
      const seen: string[] = [];
      for await (const ch of s) seen.push(ch.data);
      return seen;
    })();
    await expect.poll(() => s.offsets.stdout).toBe(3);
    await expect(suite.c.run(`echo ${huge}`)).rejects.toMatchObject({ name: 'InvalidParams', field: 'params' });
    // A stream on the same connection goes on, not interrupted: the message was never sent.
    await suite.pd.transport.call('exec.kill', { execId: s.execId, signal: 9 });
    expect(await iterated).toEqual(['up\n']);
    expect(s.result).toMatchObject({ exitCode: 137 });
    expect((await suite.c.run('echo after')).stdout).toBe('after\n');
  });

  it('keepOutput of any type counts as JavaScript truth on a stream, and never reaches the daemon', async () => {
    const MB2 = 2_000_000;
    const flood = `head -c ${MB2} /dev/zero | tr '\\0' x`;
    for (const [given, keeps] of [
      [1, true],
      ['no', true],
      [{}, true],
      [0, false],
      ['', false],
      [null, false],
    ] as const) {
      const keepOutput = given as unknown as boolean;
      const s = suite.c.run(flood, { stream: true, keepOutput });
      let bytes = 0;
      for await (const ch of s) bytes += ch.data.length;
      expect(bytes).toBe(MB2);
      // Without keeping, .result holds what the daemon still buffers: its last MiB.
      expect(s.result!.stdout.length, JSON.stringify(given)).toBe(keeps ? MB2 : 1024 * 1024);
      const odd = { keepOutput } as Record<string, unknown>;
      expect((await suite.c.run('echo blocking', odd)).stdout).toBe('blocking\n');
      expect((await (await suite.c.run('echo detached', { detach: true, ...odd })).wait()).stdout).toBe('detached\n');
    }
  });
});
