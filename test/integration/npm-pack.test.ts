// `npm pack` of every publishable package: each tarball holds what it needs and nothing stray, and the
// tarballs alone install into an empty project (npm resolves @pocketdock/* between them; the rest
// comes from the npm cache or registry) with working `pocketdockd` and `pocketdock` commands and the
// image build contexts inside the daemon's package.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Each workspace, the files its tarball must hold (beside package.json), and its commands. */
const PACKAGES: Record<string, { dir: string; needs: string[]; bins?: string[] }> = {
  '@pocketdock/protocol': { dir: 'packages/protocol', needs: ['dist/index.js', 'dist/index.d.ts'] },
  '@pocketdock/agent': {
    dir: 'packages/agent',
    needs: ['dist/index.js', 'dist/index.d.ts', 'build.sh', 'src/agent.c', 'dist/pocketdock-agent-linux-amd64'],
  },
  '@pocketdock/dashboard': { dir: 'packages/dashboard', needs: ['dist/index.html'] },
  '@pocketdock/client': { dir: 'client', needs: ['dist/index.js', 'dist/index.d.ts', 'dist/browser.js'] },
  '@pocketdock/daemon': {
    dir: 'daemon',
    bins: ['pocketdockd'],
    needs: [
      'dist/bin.js',
      'dist/index.d.ts',
      'images/bootstrap-base.sh',
      'images/common/setup.sh',
      ...['minimal-python', 'minimal-node', 'minimal-bun', 'dev', 'agent', 'embedded'].map((p) => `images/${p}/Dockerfile`),
    ],
  },
  '@pocketdock/cli': { dir: 'packages/cli', needs: ['dist/bin.js'], bins: ['pocketdock'] },
};

/** What never belongs in a tarball: sources the build compiled, tests, build caches, dependencies. */
const STRAY = [/\.test\./, /(?<!\.d)\.ts$/, /\.tsbuildinfo$/, /(^|\/)node_modules\//, /(^|\/)tsconfig\.json$/];

const work = mkdtempSync(join(tmpdir(), 'pd-pack-'));
const packed: Record<string, { filename: string; files: string[] }> = {};
afterAll(() => rmSync(work, { recursive: true, force: true }));

beforeAll(() => {
  for (const [name, { dir }] of Object.entries(PACKAGES)) {
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work, '-w', dir], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const [info] = JSON.parse(out) as Array<{ name: string; filename: string; files: Array<{ path: string }> }>;
    expect(info!.name).toBe(name);
    packed[name] = { filename: join(work, info!.filename.replace(/^@/, '').replace(/\//, '-')), files: info!.files.map((f) => f.path) };
  }
}, 300_000);

describe('npm pack', () => {
  for (const [name, { dir, needs }] of Object.entries(PACKAGES)) {
    it(`${name}: complete metadata, the files it needs, nothing stray`, async () => {
      const { files } = packed[name]!;
      expect(files).toEqual(expect.arrayContaining(['package.json', ...needs]));
      expect(files.filter((f) => STRAY.some((re) => re.test(f)))).toEqual([]);
      const pkg = (await import(pathToFileURL(join(ROOT, dir, 'package.json')).href, { with: { type: 'json' } })).default as Record<
        string,
        unknown
      >;
      expect(pkg).toMatchObject({
        version: expect.any(String),
        license: expect.any(String),
        engines: { node: expect.any(String) },
        repository: { type: 'git', url: expect.any(String), directory: dir },
      });
      expect(pkg).not.toHaveProperty('private');
      expect(pkg.exports ?? pkg.bin).toBeDefined();
    });
  }
  it('a checkout keeps no copy of images/ in the daemon package after packing', () => {
    expect(existsSync(join(ROOT, 'daemon/images'))).toBe(false);
  });
});

describe('installed from the tarballs alone', () => {
  const project = join(work, 'project');
  beforeAll(() => {
    execFileSync('mkdir', ['-p', project]);
    writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'pd-install-test', private: true }));
    execFileSync(
      'npm',
      ['install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', ...Object.values(packed).map((p) => p.filename)],
      { cwd: project, stdio: ['ignore', 'ignore', 'pipe'] },
    );
  }, 600_000);

  it('gives working pocketdockd and pocketdock commands', () => {
    for (const bin of ['pocketdockd', 'pocketdock'])
      expect(execFileSync(join(project, 'node_modules/.bin', bin), ['--version'], { encoding: 'utf8' }).trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('builds images from the build contexts inside the daemon package', async () => {
    const daemon = join(project, 'node_modules/@pocketdock/daemon');
    const { IMAGES_DIR } = (await import(pathToFileURL(join(daemon, 'dist/images/profiles.js')).href)) as { IMAGES_DIR: string };
    expect(IMAGES_DIR).toBe(join(daemon, 'images/'));
    expect(existsSync(join(IMAGES_DIR, 'minimal-python/Dockerfile'))).toBe(true);
  });
});
