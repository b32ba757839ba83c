/**
 * The daemon's logger for one of a project's containers: its lines at the project's log_level
 * (pocketdock.yaml) instead of the daemon's --log-level, so a project can ask for the debug lines of
 * its own sandboxes, or quiet them, without changing the daemon's log for everyone else.
 */
import type { Logger } from '../log.js';
import { readProjectConfig } from './config.js';
import { rootOfInstance } from './instance.js';

export async function projectLogger(log: Logger, dataPath: string | undefined, bindings: Record<string, unknown>): Promise<Logger> {
  const root = dataPath ? rootOfInstance(dataPath) : undefined;
  if (!root) return log.child(bindings);
  try {
    return log.child(bindings, { level: (await readProjectConfig(root)).logLevel });
  } catch (err) {
    // A project file broken since the container was made must not fail its commands: the daemon's level.
    const child = log.child(bindings);
    child.warn({ err: (err as Error).message }, "cannot read the project's log_level");
    return child;
  }
}
