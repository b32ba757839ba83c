import { describe, expect, it } from 'vitest';
import { DaemonError } from '../errors.js';
import { ClientCaps } from './client-caps.js';
import type { CallContext } from './context.js';

const caps = () => new ClientCaps({ maxExecsPerClient: 2, maxSessionsPerClient: 1, maxTerminalsPerClient: 1, maxTransfersPerClient: 1 });
const caller = (token: string | undefined, transport: 'unix' | 'tcp' = 'unix') =>
  ({ peer: { token, client: 'test' }, transport }) as unknown as CallContext;

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  return { promise: new Promise<void>((r) => (resolve = r)), resolve };
}

describe('ClientCaps', () => {
  it('refuses past the cap with LimitExceeded naming the limit, per client, and gives the slot back when its holder ends', async () => {
    const c = caps();
    const end = deferred();
    const a = caller('client-a');
    await c.hold(
      a,
      'execs',
      async () => ({}),
      () => end.promise,
    );
    await c.hold(
      a,
      'execs',
      async () => ({}),
      () => new Promise(() => undefined),
    );
    const err = await c
      .hold(
        a,
        'execs',
        async () => ({}),
        () => end.promise,
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DaemonError);
    expect((err as DaemonError).data).toMatchObject({ type: 'LimitExceeded', limit: 'maxExecsPerClient' });
    // Another client, another kind: their own budgets.
    await c.hold(
      caller('client-b'),
      'execs',
      async () => ({}),
      () => end.promise,
    );
    await c.hold(
      a,
      'sessions',
      async () => ({}),
      () => end.promise,
    );
    end.resolve();
    await end.promise;
    await c.hold(
      a,
      'execs',
      async () => ({}),
      () => end.promise,
    );
  });

  it('gives the slot back when the start fails, and books nothing for a start that answers what a slot already holds', async () => {
    const c = caps();
    const a = caller('client-a');
    for (let i = 0; i < 3; i++)
      await expect(
        c.hold(
          a,
          'terminals',
          () => Promise.reject(new Error('no')),
          () => Promise.resolve(),
        ),
      ).rejects.toThrow('no');
    const same = {};
    await c.hold(
      a,
      'sessions',
      async () => same,
      () => new Promise(() => undefined),
    );
    await expect(
      c.hold(
        a,
        'sessions',
        async () => same,
        () => Promise.resolve(),
      ),
    ).rejects.toMatchObject({ type: 'LimitExceeded' });
    const t = await c.hold(
      a,
      'terminals',
      async () => same,
      () => new Promise(() => undefined),
    );
    expect(t).toBe(same);
  });

  it('counts token-less HTTP callers of one listener together', async () => {
    const c = caps();
    await c.hold(
      caller(undefined, 'unix'),
      'transfers',
      async () => ({}),
      () => new Promise(() => undefined),
    );
    await expect(
      c.hold(
        caller(undefined, 'unix'),
        'transfers',
        async () => ({}),
        () => Promise.resolve(),
      ),
    ).rejects.toMatchObject({
      type: 'LimitExceeded',
    });
    await c.hold(
      caller(undefined, 'tcp'),
      'transfers',
      async () => ({}),
      () => new Promise(() => undefined),
    );
  });

  it("restore() counts what a restarted daemon took back against its client's cap until it ends, and a retried start of it books nothing more", async () => {
    const c = caps();
    const end = deferred();
    const shell = {};
    c.restore('client-a', 'sessions', shell, end.promise);
    const open = () =>
      c.hold(
        caller('client-a'),
        'sessions',
        async () => ({}),
        () => new Promise(() => undefined),
      );
    await expect(open()).rejects.toMatchObject({ type: 'LimitExceeded' });
    await c.hold(
      caller('client-b'),
      'sessions',
      async () => ({}),
      () => new Promise(() => undefined),
    );
    end.resolve();
    await end.promise;
    expect(
      await c.hold(
        caller('client-a'),
        'sessions',
        async () => shell,
        () => new Promise(() => undefined),
      ),
    ).toBe(shell);
    await open();
  });
});
