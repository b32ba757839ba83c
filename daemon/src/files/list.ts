/**
 * Listing a directory: `find -printf` with NUL separators, so names holding spaces, quotes or
 * newlines come back intact; runs as the container's user like any command.
 */
import type { Engine } from '../engine/index.js';
import { fileError, fileNotFound } from '../errors.js';
import type { Logger } from '../log.js';
import { ExecRun, OutputCollector } from '../exec/index.js';

const NOT_FOUND = 2;
const NOT_A_DIRECTORY = 3;
const LIST_SCRIPT =
  `if [ -d "$1" ]; then exec find "$1" -mindepth 1 -maxdepth 1 -printf '%P\\0%y\\0'; ` +
  `elif [ -e "$1" ] || [ -L "$1" ]; then exit ${NOT_A_DIRECTORY}; else exit ${NOT_FOUND}; fi`;
const LIST_TIMEOUT_MS = 30_000;
const MAX_LISTING_BYTES = 64 * 1024 * 1024;

/** `find`'s output, "name\0type\0" per entry, as sorted names with "/" after directories. */
export function parseListing(out: string): string[] {
  const fields = out.split('\0');
  const names: string[] = [];
  for (let i = 0; i + 1 < fields.length; i += 2) names.push(fields[i + 1] === 'd' ? `${fields[i]}/` : fields[i]!);
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export async function listDirectory(engine: Engine, containerId: string, path: string, log: Logger): Promise<string[]> {
  const collector = new OutputCollector(MAX_LISTING_BYTES);
  const run = await ExecRun.start({
    engine,
    containerId,
    log,
    sink: collector.sink,
    timeoutMs: LIST_TIMEOUT_MS,
    argv: ['sh', '-c', LIST_SCRIPT, 'list', path],
  });
  const { exitCode, timedOut } = await run.finished;
  if (exitCode === NOT_FOUND) throw fileNotFound(containerId, path);
  if (exitCode === NOT_A_DIRECTORY) throw fileError(containerId, path, 'is not a directory');
  if (exitCode !== 0 || timedOut || collector.truncated) {
    const why = timedOut ? 'listing timed out' : collector.truncated ? 'listing too large' : collector.text('stderr').trim();
    throw fileError(containerId, path, why || `find exited with ${exitCode}`);
  }
  return parseListing(collector.text('stdout'));
}
