/** exec.* */
import { invalidParams } from '../../errors.js';
import type { Channel } from '../../exec/index.js';
import { clientOf } from '../client-caps.js';
import type { CallContext } from '../context.js';
import type { HandlersFor, Services } from './types.js';

const DEFAULT_POLL_BYTES = 1024 * 1024;

/** The caller's connection as a notification channel; plain HTTP callers have none. */
export function channelOf(ctx: CallContext, field: string): Channel {
  const { notify, queue } = ctx;
  if (!notify || !queue)
    throw invalidParams(field, 'needs a WebSocket connection (GET /rpc); over plain HTTP follow the exec with exec.poll');
  return { send: notify, queued: () => queue.queued, drained: () => queue.drained(), closed: ctx.signal };
}

type ExecMethods =
  | 'exec.start'
  | 'exec.subscribe'
  | 'exec.unsubscribe'
  | 'exec.poll'
  | 'exec.kill'
  | 'exec.stop'
  | 'exec.wait'
  | 'exec.read'
  | 'exec.peek'
  | 'exec.list'
  | 'exec.info';

export const execHandlers = ({ containers, processes, caps, leases }: Services): HandlersFor<ExecMethods> => ({
  'exec.start': async ({ subscribe, subscription, lossless, ...req }, ctx) => {
    const channel = subscribe ? channelOf(ctx, 'subscribe') : undefined;
    let subscribed: string | undefined;
    const exec = await caps.hold(
      ctx,
      'execs',
      () =>
        processes.start(
          { ...req, owner: clientOf(ctx) },
          channel &&
            ((e) => {
              subscribed = e.subscribe(
                { connectionId: ctx.connectionId, subscription },
                channel,
                { stdout: 0, stderr: 0 },
                lossless,
              ).subscription;
            }),
        ),
      (e) => e.done,
    );
    if (channel) exec.stopWhenForsaken(ctx.signal, leases.graceMs);
    return { execId: exec.id, ...(subscribed !== undefined && { subscription: subscribed }) };
  },
  'exec.subscribe': async (p, ctx) => {
    const channel = channelOf(ctx, 'execId');
    return (await processes.get(p.execId)).subscribe(
      { connectionId: ctx.connectionId, subscription: p.subscription },
      channel,
      p.offsets,
      p.lossless,
    );
  },
  'exec.unsubscribe': async (p, ctx) => {
    (await processes.get(p.execId)).unsubscribe({ connectionId: ctx.connectionId, subscription: p.subscription });
    return null;
  },
  'exec.poll': async (p, ctx) =>
    (await processes.get(p.execId)).poll(p.offsets ?? {}, p.waitMs ?? 0, p.maxBytes ?? DEFAULT_POLL_BYTES, ctx.signal),
  'exec.kill': async (p) => {
    await (await processes.get(p.execId)).kill(p.signal ?? 15);
    return null;
  },
  'exec.stop': async (p) => {
    await (await processes.get(p.execId)).stop();
    return null;
  },
  'exec.wait': async (p, ctx) => (await processes.get(p.execId)).wait(p.timeout === undefined ? undefined : p.timeout * 1000, ctx.signal),
  'exec.read': async (p) => (await processes.get(p.execId)).snapshot(true),
  'exec.peek': async (p) => (await processes.get(p.execId)).snapshot(false),
  'exec.list': async (p) => processes.list((await containers.resolve(p.container, p.socketPath)).inspect.Id, p.kind),
  'exec.info': async (p) => (await processes.get(p.execId)).state(),
});
