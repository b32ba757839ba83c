/**
 * `--follow` for files another process appends to (the daemon's log, a project's history and output
 * logs): what each file gains is handed on as it comes, until Ctrl-C. Files are polled rather than
 * watched, so new files, rotations (a file that shrank is read again from its start) and files on
 * any file system are seen alike.
 */
import { open, stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';

const POLL_MS = 500;

/** Reads bytes [from, to) of `path`; empty when it went away meanwhile. */
async function readRange(path: string, from: number, to: number): Promise<Buffer> {
  const fh = await open(path, 'r').catch(() => undefined);
  if (!fh) return Buffer.alloc(0);
  try {
    const buf = Buffer.alloc(to - from);
    const { bytesRead } = await fh.read(buf, 0, buf.length, from);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/**
 * Follows the files `list()` names (asked again at each poll, so new ones join): the ones there now
 * from `from`'s offset for them (what the caller already printed), else their current end; the ones
 * that appear later from their start. Never resolves.
 */
export async function followFiles(
  list: () => Promise<string[]>,
  onText: (path: string, text: string) => void,
  from: ReadonlyMap<string, number> = new Map(),
): Promise<never> {
  const size = async (path: string) => (await stat(path).catch(() => undefined))?.size;
  const at = new Map<string, number>();
  // Per file: a UTF-8 character cut between two reads is held back until its end arrives.
  const decoders = new Map<string, StringDecoder>();
  for (const path of await list()) at.set(path, from.get(path) ?? (await size(path)) ?? 0);
  for (;;) {
    for (const path of await list()) {
      const now = await size(path);
      if (now === undefined) continue;
      const from = (at.get(path) ?? 0) > now ? 0 : (at.get(path) ?? 0);
      if (now === from) continue;
      const data = await readRange(path, from, now);
      at.set(path, from + data.length);
      if (!decoders.has(path) || from === 0) decoders.set(path, new StringDecoder('utf8'));
      const text = decoders.get(path)!.write(data);
      if (text) onText(path, text);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}
