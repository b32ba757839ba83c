/** terminal.* — programs on a pseudo-terminal; their output and exit are exec.* notifications. */
import { hangUpOn, openTerminal, terminalInput } from '../../session/index.js';
import { clientOf } from '../client-caps.js';
import { channelOf } from './exec.js';
import type { HandlersFor, Services } from './types.js';

export const terminalHandlers = ({ processes, caps }: Services): HandlersFor<'terminal.open' | 'terminal.input' | 'terminal.resize'> => ({
  'terminal.open': async ({ subscribe, subscription, keep, ...req }, ctx) => {
    const channel = subscribe ? channelOf(ctx, 'subscribe') : undefined;
    let subscribed: string | undefined;
    const exec = await caps.hold(
      ctx,
      'terminals',
      () =>
        openTerminal(
          processes,
          { ...req, owner: clientOf(ctx) },
          channel &&
            ((e) => {
              subscribed = e.subscribe({ connectionId: ctx.connectionId, subscription }, channel, { stdout: 0, stderr: 0 }).subscription;
            }),
        ),
      (e) => e.done,
    );
    // Over plain HTTP the "connection" is the one request: only a WebSocket's end is a closed window.
    if (ctx.notify && !keep) hangUpOn(exec, ctx.signal);
    return { terminalId: exec.id, ...(subscribed !== undefined && { subscription: subscribed }) };
  },
  'terminal.input': async (p) => {
    terminalInput(await processes.get(p.terminalId), Buffer.from(p.data, p.encoding ?? 'utf8'));
    return null;
  },
  'terminal.resize': async (p) => {
    await (await processes.get(p.terminalId)).resize(p.rows, p.cols);
    return null;
  },
});
