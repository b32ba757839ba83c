import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildContext, hostCaBundle, profileFiles } from './context.js';
import { findProfile } from './profiles.js';

const dir = await mkdtemp(join(tmpdir(), 'pd-ca-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('build context', () => {
  const profile = findProfile('minimal-python')!;

  it('holds the profile folder, images/common as common/, and an always-present host-ca/', async () => {
    const ctx = await buildContext(profile);
    const names = ctx.files.map((f) => f.name);
    expect(names).toEqual(expect.arrayContaining(['Dockerfile', 'common/setup.sh']));
    expect(names).not.toContain('README.md');
    expect(ctx.dirs).toEqual(['host-ca']);
  });

  it('hashes the folder and common/, not the CA bundle', async () => {
    const { files, hash } = await profileFiles(profile);
    expect(files.some((f) => f.name === 'common/setup.sh')).toBe(true);
    const ctx = await buildContext(profile);
    expect(ctx.hash).toBe(hash);
    expect(ctx.files.filter((f) => f.name.startsWith('host-ca/')).length).toBeLessThanOrEqual(1);
  });

  it('takes POCKETDOCK_CA_BUNDLE when it names a file, and says so when it does not', async () => {
    const bundle = join(dir, 'corp.pem');
    await writeFile(bundle, '-----BEGIN CERTIFICATE-----\n');
    expect(await hostCaBundle({ POCKETDOCK_CA_BUNDLE: bundle })).toBe(bundle);
    await expect(hostCaBundle({ POCKETDOCK_CA_BUNDLE: join(dir, 'absent.pem') })).rejects.toThrow(
      /POCKETDOCK_CA_BUNDLE names .*absent\.pem/,
    );
  });
});
