import { chmod, mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { hashFolder } from './hash.js';

const order = vi.hoisted(() => ({ reversed: false }));

// Lets a test make readdir list entries in the opposite order, as another file system might.
vi.mock('node:fs/promises', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...fs,
    readdir: async (dir: string, opts: { recursive: true }) => {
      const names = await fs.readdir(dir, opts);
      return order.reversed ? names.reverse() : names;
    },
  };
});

const dirs: string[] = [];

async function folder(files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pd-hash-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), content, { mode: 0o644 });
  }
  return dir;
}

const files = { Dockerfile: 'FROM ${BASE}\n', 'README.md': '# x\n', 'etc/motd': 'hi\n' };

afterEach(async () => {
  order.reversed = false;
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});

describe('hashFolder', () => {
  it('is a sha256 hex digest, stable across calls and copies', async () => {
    const a = await folder(files);
    const h = await hashFolder(a);
    expect(h).toMatch(/^[0-9a-f]{64}$/);
    expect(await hashFolder(a)).toBe(h);
    expect(await hashFolder(await folder(files))).toBe(h);
  });

  it('does not depend on readdir order', async () => {
    const dir = await folder(files);
    const h = await hashFolder(dir);
    order.reversed = true;
    expect(await hashFolder(dir)).toBe(h);
  });

  it("changes when a file's content changes", async () => {
    const dir = await folder(files);
    const h = await hashFolder(dir);
    await writeFile(join(dir, 'etc/motd'), 'hi!\n');
    expect(await hashFolder(dir)).not.toBe(h);
  });

  it("changes when a file's mode changes", async () => {
    const dir = await folder(files);
    const h = await hashFolder(dir);
    await chmod(join(dir, 'README.md'), 0o755);
    expect(await hashFolder(dir)).not.toBe(h);
  });

  it('changes when a file is renamed or added', async () => {
    const h = await hashFolder(await folder(files));
    expect(await hashFolder(await folder({ ...files, 'etc/issue': '' }))).not.toBe(h);
    const { 'README.md': readme, ...rest } = files;
    expect(await hashFolder(await folder({ ...rest, 'README.txt': readme }))).not.toBe(h);
  });
});
