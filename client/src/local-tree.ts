/**
 * The client's side of push and pull: a local file or directory tree to a tar stream and back,
 * on the caller's own file system, so it works wherever the daemon runs. Extraction trusts
 * nothing in the tar: names must stay under the destination, nothing is ever written through a
 * symlink, and links whose target leads out of the destination are left out.
 */
import { once } from 'node:events';
import { lstat, mkdir, open, readdir, readlink, realpath, symlink, link, unlink, chmod } from 'node:fs/promises';
import { createReadStream, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import tar from 'tar-stream';
import { PocketDockError, UnsafeArchive } from './errors.js';

/**
 * A tar of the tree at `src` whose top member is called `name`; symlinks are stored, never
 * followed. Fails at once when `src` does not exist.
 */
export async function packTree(src: string, name: string): Promise<AsyncIterable<Uint8Array>> {
  const st = await lstat(src);
  const pack = tar.pack();
  addTree(pack, src, name, st).then(
    () => pack.finalize(),
    (err: Error) => pack.destroy(err),
  );
  return pack as AsyncIterable<Uint8Array>;
}

async function addTree(pack: tar.Pack, path: string, name: string, st: Stats): Promise<void> {
  const header = { name, mode: st.mode & 0o7777, mtime: st.mtime };
  if (st.isDirectory()) {
    await addEntry(pack, { ...header, type: 'directory' });
    for (const child of (await readdir(path)).sort()) {
      const childPath = join(path, child);
      await addTree(pack, childPath, `${name}/${child}`, await lstat(childPath));
    }
  } else if (st.isSymbolicLink()) {
    await addEntry(pack, { ...header, type: 'symlink', linkname: await readlink(path) });
  } else if (st.isFile()) {
    await new Promise<void>((resolve, reject) => {
      const sink = pack.entry({ ...header, type: 'file', size: st.size }, (err) => (err ? reject(err) : resolve()));
      const file = createReadStream(path);
      file.once('error', (err) => {
        sink.destroy(err);
        reject(err);
      });
      file.pipe(sink as unknown as NodeJS.WritableStream);
    });
  } else {
    throw new PocketDockError(`cannot push ${path}: not a regular file, directory or symlink`);
  }
}

function addEntry(pack: tar.Pack, header: tar.Header | (Partial<tar.Header> & { name: string })): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, (err) => (err ? reject(err) : resolve()));
  });
}

export interface PullResult {
  /** Members left out, with why: links leading out of the destination, special files. */
  skipped: Array<{ name: string; reason: string }>;
}

/** Unpacks a tar (its top member becomes `dest`) without ever writing outside `dest`. */
export async function extractTree(source: AsyncIterable<Uint8Array>, dest: string): Promise<PullResult> {
  const extract = tar.extract();
  // Listening before any byte goes in: entries are events, and one emitted unheard is lost.
  const iterator = extract[Symbol.asyncIterator]();
  const entries: AsyncIterable<TarEntry> = { [Symbol.asyncIterator]: () => iterator };
  const stop = new AbortController();
  const feeding = feed(source, extract, stop.signal);
  feeding.catch(() => undefined); // raised below once the entries are read
  try {
    const result = await unpack(entries, dest);
    await feeding;
    return result;
  } finally {
    // Stops reading the source too (which lets a download release the daemon's side).
    stop.abort();
    extract.destroy();
  }
}

async function feed(source: AsyncIterable<Uint8Array>, extract: tar.Extract, signal: AbortSignal): Promise<void> {
  try {
    for await (const chunk of source) {
      if (!extract.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))) await once(extract, 'drain', { signal });
    }
    extract.end(undefined);
  } catch (err) {
    extract.destroy(err as Error);
    throw err;
  }
}

interface PendingLink {
  path: string;
  name: string;
  target: string;
}

type TarEntry = tar.Extract extends AsyncIterable<infer E> ? E : never;

async function unpack(entries: AsyncIterable<TarEntry>, dest: string): Promise<PullResult> {
  const skipped: PullResult['skipped'] = [];
  const links: PendingLink[] = [];
  const dirModes: Array<[string, number]> = [];
  let top: string | undefined;
  await mkdir(dirname(dest), { recursive: true });
  for await (const entry of entries) {
    const h = entry.header;
    const parts = memberParts(h.name);
    top ??= parts[0];
    if (parts[0] !== top) throw new UnsafeArchive(`tar member "${h.name}" is outside the top member "${top}"`, h.name);
    const path = join(dest, ...parts.slice(1));
    await safeParent(dest, path, h.name);
    switch (h.type) {
      case 'directory':
        await makeDir(path, h.name);
        dirModes.push([path, h.mode]);
        break;
      case 'file':
      case 'contiguous-file':
        await writeFile(path, h.mode, entry as AsyncIterable<Uint8Array>, h.name);
        break;
      case 'symlink':
        // Made last, so that no later member can be written through one. A link at the top
        // has no tree to stay in.
        if (path === dest) skipped.push({ name: h.name, reason: `a symlink (to "${h.linkname}") pulled on its own` });
        else links.push({ path, name: h.name, target: h.linkname });
        break;
      case 'link': {
        const targetParts = memberParts(h.linkname);
        if (targetParts[0] !== top) throw new UnsafeArchive(`tar member "${h.name}" links to "${h.linkname}", outside the archive`, h.name);
        const target = join(dest, ...targetParts.slice(1));
        await safeParent(dest, target, h.linkname);
        await replaceable(path, h.name);
        await link(target, path);
        break;
      }
      default:
        skipped.push({ name: h.name, reason: `${h.type} members are not extracted` });
    }
    entry.resume();
  }
  if (top === undefined) throw new PocketDockError('the pulled archive is empty');
  await makeLinks(dest, links, skipped);
  // Deepest first, so that a read-only directory is closed only after its content is in.
  for (const [path, mode] of dirModes.reverse()) await chmod(path, mode);
  return { skipped };
}

/** A member name's components; absolute names and `..` are refused. */
export function memberParts(name: string): string[] {
  if (name.startsWith('/') || /^[a-zA-Z]:/.test(name)) throw new UnsafeArchive(`tar member "${name}" has an absolute name`, name);
  const parts = name.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new UnsafeArchive(`tar member "${name}" climbs out with ".."`, name);
  if (parts.length === 0 || parts.some((p) => p.includes(sep) || p.includes('\\'))) {
    throw new UnsafeArchive(`tar member "${name}" has no usable name`, name);
  }
  return parts;
}

/** Every directory between `dest` and `path` exists (made here if missing) and is a real directory, not a link. */
async function safeParent(dest: string, path: string, member: string): Promise<void> {
  if (path === dest) return;
  let at = dest;
  for (const part of relative(dest, dirname(path)).split(sep).filter(Boolean)) {
    at = join(at, part);
    const st = await lstat(at).catch(() => undefined);
    if (!st) await mkdir(at);
    else if (!st.isDirectory())
      throw new UnsafeArchive(`tar member "${member}" would be written through ${at}, which is not a directory`, member);
  }
}

async function makeDir(path: string, member: string): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (!st) await mkdir(path);
  else if (!st.isDirectory()) throw new PocketDockError(`cannot pull "${member}": ${path} exists and is not a directory`);
}

/** Removes what is at `path` unless it is a directory; a link there is replaced, never followed. */
async function replaceable(path: string, member: string): Promise<void> {
  const st = await lstat(path).catch(() => undefined);
  if (st?.isDirectory()) throw new PocketDockError(`cannot pull "${member}": ${path} exists and is a directory`);
  if (st) await unlink(path);
}

async function writeFile(path: string, mode: number, content: AsyncIterable<Uint8Array>, member: string): Promise<void> {
  await replaceable(path, member);
  // O_EXCL: fails rather than follow anything that appeared at `path` since.
  const file = await open(path, 'wx', 0o600);
  try {
    await file.chmod(mode);
    for await (const chunk of content) await file.write(chunk);
  } finally {
    await file.close();
  }
}

/** Creates the links, then drops every one that leads out of `dest` once all of them exist. */
async function makeLinks(dest: string, links: PendingLink[], skipped: PullResult['skipped']): Promise<void> {
  if (links.length === 0) return;
  for (const l of links) {
    await safeParent(dest, l.path, l.name);
    await replaceable(l.path, l.name);
    await symlink(l.target, l.path);
  }
  const root = await realpath(dest);
  // Removing one link can change where another leads: repeat until every remaining one stays in.
  let kept = links;
  for (;;) {
    const escaping: PendingLink[] = [];
    for (const l of kept) if (!(await staysInside(root, join(root, relative(dest, l.path))))) escaping.push(l);
    if (escaping.length === 0) return;
    for (const l of escaping) {
      await unlink(l.path);
      skipped.push({ name: l.name, reason: `symlink to "${l.target}" leads out of ${dest}` });
    }
    kept = kept.filter((l) => !escaping.includes(l));
  }
}

/** As many links as Linux follows in one path walk. */
const MAX_LINK_HOPS = 40;

/**
 * Whether `path` (under the real directory `root`) resolves inside `root`, walking it as the
 * kernel does: links on the way are read and followed; missing components are taken as named.
 */
export async function staysInside(root: string, path: string): Promise<boolean> {
  const pending = relative(root, path).split(sep).filter(Boolean);
  const resolved: string[] = [];
  let hops = 0;
  while (pending.length) {
    const part = pending.shift()!;
    if (part === '.') continue;
    if (part === '..') {
      if (resolved.length === 0) return false;
      resolved.pop();
      continue;
    }
    const at = join(root, ...resolved, part);
    const st = await lstat(at).catch(() => undefined);
    if (!st?.isSymbolicLink()) {
      resolved.push(part);
      continue;
    }
    if (++hops > MAX_LINK_HOPS) return false;
    const target = await readlink(at);
    if (isAbsolute(target)) {
      const inside = relative(root, target);
      if (inside === '..' || inside.startsWith(`..${sep}`) || isAbsolute(inside)) return false;
      resolved.length = 0;
      pending.unshift(...inside.split(sep).filter(Boolean));
    } else {
      pending.unshift(...target.split('/').filter(Boolean));
    }
  }
  return true;
}
