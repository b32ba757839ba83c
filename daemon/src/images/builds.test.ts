import { describe, expect, it, vi } from 'vitest';
import type { Engine } from '../engine/index.js';
import type { ImageProgress } from '../engine/images.js';
import type { EnsureOptions, EnsureResult } from './ensure.js';

/** Each ensureImage call the builds make, left pending until the test settles it. */
interface Call {
  profile: string;
  opts: EnsureOptions;
  finish: (r: EnsureResult) => void;
  fail: (e: Error) => void;
}
const calls = vi.hoisted(() => [] as Call[]);

vi.mock('./ensure.js', () => ({
  ensureImage: (_engine: unknown, profile: string, opts: EnsureOptions) =>
    new Promise<EnsureResult>((finish, fail) => {
      calls.push({ profile, opts, finish, fail });
    }),
}));

const { ImageBuilds } = await import('./builds.js');

const engine = { socketPath: '/e.sock' } as unknown as Engine;
const result = (profile: string): EnsureResult => ({ tag: `pocketdock/${profile}`, built: true, seconds: 1, size: 2 });
const tick = () => new Promise((r) => setImmediate(r));

describe('ImageBuilds', () => {
  it('runs one build per profile and lets later callers join it, progress included', async () => {
    calls.length = 0;
    const builds = new ImageBuilds();
    const first: ImageProgress[] = [];
    const second: ImageProgress[] = [];
    const a = builds.ensure(engine, 'agent', { onProgress: (p) => first.push(p) });
    calls[0]!.opts.onProgress!({ line: 'early' });
    const b = builds.ensure(engine, 'agent', { onProgress: (p) => second.push(p) });
    calls[0]!.opts.onProgress!({ line: 'late', step: 2, total: 3 });
    expect(calls).toHaveLength(1);
    calls[0]!.finish(result('agent'));
    expect(await a).toBe(await b);
    expect(first.map((p) => p.line)).toEqual(['early', 'late']);
    expect(second.map((p) => p.line)).toEqual(['late']);

    // Done: the next call starts a new build.
    const c = builds.ensure(engine, 'agent', {});
    expect(calls).toHaveLength(2);
    calls[1]!.finish(result('agent'));
    await c;
  });

  it('stops notifying a caller whose signal aborted, without stopping the build', async () => {
    calls.length = 0;
    const builds = new ImageBuilds();
    const heard: string[] = [];
    const gone = new AbortController();
    const r = builds.ensure(engine, 'dev', { onProgress: (p) => heard.push(p.line), signal: gone.signal });
    calls[0]!.opts.onProgress!({ line: 'one' });
    gone.abort();
    calls[0]!.opts.onProgress!({ line: 'two' });
    calls[0]!.finish(result('dev'));
    await r;
    expect(heard).toEqual(['one']);
  });

  it('runs the build proper of different profiles one at a time, even after a failure', async () => {
    calls.length = 0;
    const builds = new ImageBuilds();
    const order: string[] = [];
    let release!: () => void;
    const a = builds.ensure(engine, 'dev', {});
    const b = builds.ensure(engine, 'agent', {});
    const c = builds.ensure(engine, 'embedded', {});
    expect(calls.map((x) => x.profile)).toEqual(['dev', 'agent', 'embedded']);
    const exclusive = (x: Call, fn: () => Promise<void>) => x.opts.exclusive!(fn);
    const running = exclusive(calls[0]!, async () => {
      order.push('dev start');
      await new Promise<void>((r) => {
        release = r;
      });
      order.push('dev end');
    });
    const failing = exclusive(calls[1]!, async () => {
      order.push('agent');
      throw new Error('apt failed');
    });
    const last = exclusive(calls[2]!, async () => {
      order.push('embedded');
    });
    await tick();
    expect(order).toEqual(['dev start']);
    release();
    await running;
    await expect(failing).rejects.toThrow('apt failed');
    await last;
    expect(order).toEqual(['dev start', 'dev end', 'agent', 'embedded']);
    calls.forEach((x) => x.finish(result(x.profile)));
    await Promise.all([a, b, c]);
  });

  it('keys builds by engine: the same profile on two engines builds twice', async () => {
    calls.length = 0;
    const builds = new ImageBuilds();
    const other = { socketPath: '/other.sock' } as unknown as Engine;
    const a = builds.ensure(engine, 'agent', {});
    const b = builds.ensure(other, 'agent', {});
    expect(calls).toHaveLength(2);
    calls.forEach((x) => x.finish(result('agent')));
    await Promise.all([a, b]);
  });
});
