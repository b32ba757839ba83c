/** session.* — persistent shells, shared by every client of the daemon. */
import { info, type Session, type Sessions } from '../../session/index.js';
import { clientOf } from '../client-caps.js';
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
        () => sessions.open({ ...p, owner: clientOf(ctx) }),
        async (s) => (await processes.get(s.id)).done,
      ),
    ),
  'session.send': (p) =>
    withSession(sessions, p.sessionId, (s) => {
      s.send(p.command);
      return null;
    }),
  'session.sendAndWait': (p) =>
    withSession(sessions, p.sessionId, (s) =>
      s.sendAndWait(p.command, { timeoutMs: (p.timeout ?? s.defaultTimeout) * 1000, maxOutput: p.maxOutput }),
    ),
  'session.read': (p) => withSession(sessions, p.sessionId, (s) => s.read()),
  'session.close': (p) =>
    withSession(sessions, p.sessionId, async (s) => {
      await s.close();
      return null;
    }),
  'session.info': (p) => withSession(sessions, p.sessionId, info),
  'session.list': (p) => sessions.list(p.container),
});

/**
 * Calls `fn` on the session at once when it is known, so that one connection's calls are queued in
 * the order they were sent; else once the previous daemon's sessions are back (Sessions.get).
 */
function withSession<T>(sessions: Sessions, id: string, fn: (s: Session) => T): T | Promise<Awaited<T>> {
  const known = sessions.find(id);
  return known ? fn(known) : (sessions.get(id).then(fn) as Promise<Awaited<T>>);
}
