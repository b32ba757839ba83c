/** session.* — persistent shells, shared by every client of the daemon. */
import { info } from '../../session/index.js';
import type { HandlersFor, Services } from './types.js';

type SessionMethods =
  'session.open' | 'session.send' | 'session.sendAndWait' | 'session.read' | 'session.close' | 'session.info' | 'session.list';

export const sessionHandlers = ({ sessions, processes, caps }: Services): HandlersFor<SessionMethods> => ({
  // A session lasts as long as its shell, the exec of the same id.
  'session.open': async (p, ctx) =>
    info(
      await caps.hold(
        ctx,
        'sessions',
        () => sessions.open(p),
        async (s) => (await processes.get(s.id)).done,
      ),
    ),
  'session.send': (p) => {
    sessions.get(p.sessionId).send(p.command);
    return null;
  },
  // Queued before the first await, so one connection's calls run in the order they were sent.
  'session.sendAndWait': (p) => {
    const s = sessions.get(p.sessionId);
    return s.sendAndWait(p.command, { timeoutMs: (p.timeout ?? s.defaultTimeout) * 1000, maxOutput: p.maxOutput });
  },
  'session.read': (p) => sessions.get(p.sessionId).read(),
  'session.close': async (p) => {
    await sessions.get(p.sessionId).close();
    return null;
  },
  'session.info': (p) => info(sessions.get(p.sessionId)),
  'session.list': (p) => sessions.list(p.container),
});
