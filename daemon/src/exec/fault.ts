/**
 * What a command's end says when it was not the command's doing: the container under it was
 * stopped or removed, or the engine went away. A blocking run and exec.wait then fail with that
 * typed error, the same in both exec modes, rather than answer an exit code the command never chose
 * (-1 from a cut agent stream, 126 or 137 from the engine).
 */
import { readFile } from 'node:fs/promises';
import type { Engine } from '../engine/index.js';
import { containerGone, containerNotRunning, DaemonError, engineAway } from '../errors.js';
import { UNKNOWN_EXIT } from './run.js';

/** How long a container that still says "running", its first process gone, is given to show the stop. */
const SETTLE_MS = 1000;

type State = { running: true; pid: number } | 'stopped' | 'gone' | DaemonError | undefined;

/**
 * What the engine says of the container: its error when it cannot be reached, undefined for any
 * other failure. Asked twice when the first answer is a broken connection: an engine going away can
 * drop one that it accepted before it stops accepting any, and what it says next (no socket,
 * refused) is the one that names it.
 */
async function state(engine: Engine, containerId: string): Promise<State> {
  let away: DaemonError | undefined;
  for (let attempt = 0; attempt < 2 && (!away || away.type === 'SocketCommunicationError'); attempt++) {
    try {
      const { State } = await engine.inspectContainer(containerId);
      return State.Running ? { running: true, pid: State.Pid } : 'stopped';
    } catch (err) {
      if (err instanceof DaemonError && err.type === 'ContainerNotFound') return 'gone';
      if (!engineAway(err)) return undefined;
      away = err;
    }
  }
  return away;
}

/**
 * Whether the container's first process lives, as this host sees it. A stop or removal by someone
 * else mostly ends it first and the kernel then kills the rest of the container, our command
 * included — before the engine stops saying "running"; one that kills all the container's processes
 * at once can end ours first, which this daemon knows of its own stops (Engine.endingNow). Where the
 * daemon does not share the engine's process ids the answer can be false: the engine is then asked
 * to show the stop.
 */
async function initLives(pid: number): Promise<boolean> {
  if (pid <= 0) return false;
  const stat = await readFile(`/proc/${pid}/stat`, 'latin1').catch(() => '');
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== '' && state !== 'Z' && state !== 'X';
}

/**
 * The container's fault in a command's end with exit `code`, or undefined when the end was the
 * command's own. Only codes a stop can give are asked about: unknown (the agent's stream or the
 * shim cut), 126 (the runtime could not exec) and 128+N (a signal).
 */
export async function containerFault(engine: Engine, containerId: string, code: number): Promise<DaemonError | undefined> {
  if (code !== UNKNOWN_EXIT && code !== 126 && code < 128) return undefined;
  // This daemon ending the container (another client's shutdown, say) is known without asking the engine.
  let now = engine.endingNow(containerId) ?? (await state(engine, containerId));
  if (typeof now === 'object' && 'running' in now) {
    if ((await initLives(now.pid)) || !(await engine.stopsWithin(containerId, SETTLE_MS))) return undefined;
    now = await state(engine, containerId);
  }
  if (now === 'gone') return containerGone(containerId, 'it was removed while the command ran');
  if (now === 'stopped') return containerNotRunning(containerId, 'it stopped while the command ran');
  return now instanceof DaemonError ? now : undefined;
}
