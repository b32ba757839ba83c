/** Content hash of a profile folder: the image is rebuilt exactly when this changes. */
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** sha256 (hex) over every regular file's relative path, permission bits and content, in path order. */
export async function hashFolder(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const names = (await readdir(dir, { recursive: true })).sort();
  for (const name of names) {
    const path = join(dir, name);
    const st = await stat(path);
    if (!st.isFile()) continue;
    const content = await readFile(path);
    // Names cannot contain NUL and the size bounds the content: no two folders give the same bytes.
    hash.update(`${name}\0${(st.mode & 0o7777).toString(8)}\0${content.length}\0`);
    hash.update(content);
  }
  return hash.digest('hex');
}
