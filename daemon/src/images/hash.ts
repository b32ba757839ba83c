/** Content hash of what a profile's build uses: the image is rebuilt exactly when this changes. */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** A file of a build context: its name inside the context and where it is on disk. */
export interface ContextFile {
  name: string;
  path: string;
}

/** `dir`'s regular files, named `prefix` + their path relative to `dir`, in name order. */
export async function listFolder(dir: string, prefix = ''): Promise<ContextFile[]> {
  const files: ContextFile[] = [];
  for (const name of (await readdir(dir, { recursive: true })).sort()) {
    const path = join(dir, name);
    if ((await stat(path)).isFile()) files.push({ name: prefix + name, path });
  }
  return files;
}

/** sha256 (hex) over every file's context name, permission bits and content, in name order. */
export async function hashFiles(files: readonly ContextFile[]): Promise<string> {
  const hash = createHash('sha256');
  for (const { name, path } of [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const st = await stat(path);
    const content = await readFile(path);
    // Names cannot contain NUL and the size bounds the content: no two contexts give the same bytes.
    hash.update(`${name}\0${(st.mode & 0o7777).toString(8)}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest('hex');
}

export async function hashFolder(dir: string): Promise<string> {
  return hashFiles(await listFolder(dir));
}
