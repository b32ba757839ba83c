/**
 * Where downloads read from: the engine's tar of a path, or the bytes of one regular file taken
 * out of it (symlinks followed, as reading a path in the container would).
 */
import { posix } from 'node:path';
import { Readable } from 'node:stream';
import { mapEngineError, type Engine } from '../engine/index.js';
import { fileError } from '../errors.js';
import { firstMember, relayed, type FirstMember, type MemberHeader } from '@pocketdock/protocol/tar';
import type { Outbound } from './transfers.js';

/** As many links as Linux follows in one path walk (MAXSYMLINKS). */
const MAX_LINK_HOPS = 40;

/** A failure of the engine's stream midway (the engine hung up) as a typed error about `path`. */
const typer = (engine: Engine, containerId: string, path: string) => (err: unknown) =>
  mapEngineError(err, { socketPath: engine.socketPath, containerId, path });

/**
 * `source` holding at most `maxBytes`: refused at once when its size says more, otherwise broken
 * off (a FileError midway, which cuts the body short) once it passes them.
 */
export function capped(source: Outbound, maxBytes: number, containerId: string, path: string): Outbound {
  const tooLarge = (what: string) => fileError(containerId, path, `${what} than the ${maxBytes} bytes the download may carry (maxBytes)`);
  if (source.size !== undefined && source.size > maxBytes) {
    source.close();
    throw tooLarge(`is ${source.size} bytes, more`);
  }
  async function* counted(): AsyncGenerator<Buffer> {
    let sent = 0;
    for await (const chunk of source.chunks) {
      sent += chunk.length;
      if (sent > maxBytes) throw tooLarge('is more');
      yield chunk;
    }
  }
  return { chunks: Readable.from(counted(), { objectMode: false }), size: source.size, close: source.close };
}

export async function openTar(engine: Engine, containerId: string, path: string): Promise<Outbound> {
  const archive = await engine.getArchive(containerId, path);
  return { chunks: relayed(archive, typer(engine, containerId, path)), size: undefined, close: () => archive.destroy() };
}

/** The engine's tar of `path` read up to its first member's data, failing typed. */
async function openMember(engine: Engine, containerId: string, path: string): Promise<{ member: FirstMember; close: () => void }> {
  const archive = await engine.getArchive(containerId, path);
  const close = () => archive.destroy();
  try {
    return { member: await firstMember(archive, typer(engine, containerId, path)), close };
  } catch (err) {
    close();
    throw typer(engine, containerId, path)(err);
  }
}

/** The header of a regular file, else undefined. */
const fileHeader = (header: MemberHeader | undefined) =>
  header?.type === 'file' || header?.type === 'contiguous-file' ? header : undefined;

/**
 * When the top member of `path`'s tar is a regular file, its bytes and permission bits (`file`);
 * else the tar itself, from its first byte (`tar`).
 */
export async function openTarOrFile(
  engine: Engine,
  containerId: string,
  path: string,
): Promise<{ file: { source: Outbound; mode: number } } | { tar: Outbound }> {
  const { member, close } = await openMember(engine, containerId, path);
  const file = fileHeader(member.header);
  if (!file) return { tar: { chunks: member.archive(), size: undefined, close } };
  return { file: { source: { chunks: member.data(), size: file.size, close }, mode: file.mode } };
}

export async function openFile(engine: Engine, containerId: string, path: string): Promise<Outbound> {
  let current = path;
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    const { member, close } = await openMember(engine, containerId, current);
    const { header } = member;
    const file = fileHeader(header);
    if (file) return { chunks: member.data(), size: file.size, close };
    close();
    if (header?.type === 'symlink' && header.linkname) {
      current = posix.resolve(posix.dirname(current), header.linkname);
      continue;
    }
    throw fileError(
      containerId,
      path,
      header?.type === 'directory' ? 'is a directory' : `is not a regular file (${header?.type ?? 'empty archive'})`,
    );
  }
  throw fileError(containerId, path, 'too many levels of symbolic links');
}

/** The whole content of a small file, e.g. /etc/passwd. */
export async function readSmallFile(engine: Engine, containerId: string, path: string): Promise<Buffer> {
  const source = await openFile(engine, containerId, path);
  const parts: Buffer[] = [];
  try {
    for await (const chunk of source.chunks) parts.push(chunk);
  } finally {
    source.close();
  }
  return Buffer.concat(parts);
}
