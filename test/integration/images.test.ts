// Profile images through the real daemon: image.build (progress, cache by content hash), each
// profile's smoke test, and export → remove → import → run. Builds what is missing, one at a time
// (the daemon serialises them), and prints each build's time and size.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidParams, type Container, type ImageBuildResult, type ImageProgress } from '../../client/src/index.js';
import { useDaemon } from '../helpers/daemon.js';
import { docker } from '../helpers/engines.js';

const PROFILES = ['minimal-python', 'minimal-node', 'minimal-bun', 'dev', 'agent', 'embedded'];
const suite = useDaemon();
let dir: string;
const built = new Map<string, ImageBuildResult>();
const containers: Container[] = [];

const mb = (bytes: number) => `${Math.round(bytes / 1e6)} MB`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pd-images-'));
  for (const r of await suite.pd.buildImages({ profiles: PROFILES })) {
    built.set(r.profile, r);
    console.log(`image ${r.tag}: ${r.built ? `built in ${r.seconds} s` : 'cached (content hash matches)'}, ${mb(r.size)}`);
  }
}, 60 * 60_000);

afterAll(async () => {
  for (const c of containers) await c.shutdown({ force: true }).catch(() => undefined);
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function sandbox(profile: string): Promise<Container> {
  const c = await suite.pd.createNewContainer({ profile });
  containers.push(c);
  return c;
}

/** How many times the engine tagged `ref` from `since` (unix seconds) until now. */
async function tagEvents(ref: string, since: number): Promise<number> {
  const until = Math.floor(Date.now() / 1000) + 1;
  const stream = await docker.getEvents({ since, until, filters: { type: ['image'], event: ['tag'] } });
  let text = '';
  for await (const chunk of stream) text += String(chunk);
  return text.split('\n').filter((l) => l && (JSON.parse(l) as { Actor: { Attributes: { name?: string } } }).Actor.Attributes.name === ref)
    .length;
}

/** Runs `cmd` and returns its stdout, failing with its stderr when it does not exit 0. */
async function sh(c: Container, cmd: string): Promise<string> {
  const r = await c.run(cmd, { timeout: 120 });
  expect(r.stderr && !r.ok ? r.stderr : '', cmd).toBe('');
  expect(r.exitCode, cmd).toBe(0);
  return r.stdout;
}

describe('image.build', () => {
  it('built or found every profile, labelled with its content hash', async () => {
    expect([...built.keys()]).toEqual(PROFILES);
    for (const [profile, r] of built) {
      expect(r.tag).toBe(`pocketdock/${profile}`);
      expect(r.size).toBeGreaterThan(50e6);
      const labels = (await docker.getImage(r.tag).inspect()).Config.Labels;
      expect(labels).toMatchObject({ 'pocketdock.profile': profile, 'pocketdock.profile-version': '1' });
      expect(labels['pocketdock.content-hash']).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it('does not rebuild an image whose profile files are unchanged', async () => {
    const [r] = await suite.pd.buildImages({ profiles: ['minimal-python'] });
    expect(r).toMatchObject({ profile: 'minimal-python', built: false, seconds: 0 });
  });

  it('streams every Dockerfile step of a forced build to the caller', async () => {
    const progress: ImageProgress[] = [];
    const [r] = await suite.pd.buildImages({ profiles: ['minimal-python'], force: true, onProgress: (p) => progress.push(p) });
    expect(r).toMatchObject({ tag: 'pocketdock/minimal-python', built: true });
    const steps = progress.filter((p) => /^step \d+\/\d+ :/i.test(p.line));
    const total = steps[0]!.total!;
    expect(steps.map((p) => p.step)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(progress.map((p) => p.buildId)).size).toBe(1);
    expect(progress.every((p) => p.profile === 'minimal-python')).toBe(true);
  });

  it('shares one build between concurrent callers', async () => {
    const other = await suite.d.client();
    const since = Math.floor(Date.now() / 1000);
    try {
      const [a, b] = await Promise.all([
        suite.pd.buildImages({ profiles: ['minimal-node'], force: true }),
        other.buildImages({ profiles: ['minimal-node'], force: true }),
      ]);
      expect(b).toEqual(a);
      expect(a[0]!.built).toBe(true);
    } finally {
      await other.close();
    }
    // Every build ends by tagging its image: the engine saw one build.
    expect(await tagEvents('pocketdock/minimal-node:latest', since)).toBe(1);
  });

  it('names the unknown profile', async () => {
    await expect(suite.pd.buildImages({ profiles: ['minimal-python', 'nope'] })).rejects.toMatchObject({
      name: 'InvalidParams',
      field: 'profiles',
    });
  });
});

describe('profile smoke tests', () => {
  it.each(PROFILES)('%s runs as sandbox in /home/sandbox under tini', async (profile) => {
    const c = await sandbox(profile);
    expect(await sh(c, 'id -un; pwd; cat /proc/1/comm')).toBe('sandbox\n/home/sandbox\ntini\n');
  });

  it('minimal-python: python, pip, bash', async () => {
    const c = await sandbox('minimal-python');
    expect(await sh(c, 'python3 -c "print(6 * 7)"')).toBe('42\n');
    expect(await sh(c, 'pip --version')).toMatch(/^pip \d+/);
    expect(await sh(c, 'bash -c \'echo "${BASH_VERSINFO[0]}"\'')).toMatch(/^5\n$/);
  });

  it('minimal-node: node, npm', async () => {
    const c = await sandbox('minimal-node');
    expect(await sh(c, 'node -e "console.log(6 * 7)"')).toBe('42\n');
    expect(await sh(c, 'npm --version')).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('minimal-bun: bun runs a TypeScript script', async () => {
    const c = await sandbox('minimal-bun');
    await c.writeFile('/home/sandbox/hello.ts', 'const n: number = 6 * 7;\nconsole.log(`bun ${Bun.version} ${n}`);\n');
    expect(await sh(c, 'bun run hello.ts')).toMatch(/^bun \d+\.\d+\.\d+ 42\n$/);
  });

  it('dev: git, jq, gcc, ipython, requests, httpx', async () => {
    const c = await sandbox('dev');
    expect(await sh(c, 'git --version')).toMatch(/^git version/);
    expect(await sh(c, 'echo \'{"a":[1,2]}\' | jq -c .a')).toBe('[1,2]\n');
    await c.writeFile('/home/sandbox/hi.c', '#include <stdio.h>\nint main(void) { puts("hi from gcc"); return 0; }\n');
    expect(await sh(c, 'gcc hi.c -o hi && ./hi')).toBe('hi from gcc\n');
    expect(await sh(c, 'ipython3 --no-banner -c "print(6 * 7)"')).toContain('42');
    expect(await sh(c, 'python3 -c "import requests, httpx; print(\'ok\')"')).toBe('ok\n');
    expect(await sh(c, 'for t in curl wget vim tree htop less make; do command -v $t >/dev/null || echo missing $t; done')).toBe('');
  });

  it('agent: pandas, numpy, bs4, lxml, PIL, yaml, toml, requests, httpx', async () => {
    const c = await sandbox('agent');
    const script = [
      'import pandas, numpy, bs4, lxml, PIL.Image, yaml, toml, requests, httpx',
      'df = pandas.DataFrame({"x": numpy.arange(4)})',
      'soup = bs4.BeautifulSoup("<p>hi</p>", "lxml")',
      'img = PIL.Image.new("RGB", (3, 2))',
      'print(int(df.x.sum()), soup.p.text, img.size, yaml.safe_load("a: 1")["a"], toml.loads("b = 2")["b"])',
    ].join('\n');
    await c.writeFile('/home/sandbox/check.py', script);
    expect(await sh(c, 'python3 check.py')).toBe('6 hi (3, 2) 1 2\n');
    expect(await sh(c, 'curl --version >/dev/null && jq --version && git --version >/dev/null')).toMatch(/^jq-/);
  });

  it('embedded: gcc for the host, arm-none-eabi-gcc for Cortex-M, cmake with ninja', async () => {
    const c = await sandbox('embedded');
    await c.writeFile('/home/sandbox/main.c', 'int main(void) { return 0; }\n');
    expect(await sh(c, 'gcc main.c -o host && ./host && echo ran')).toBe('ran\n');
    expect(
      await sh(
        c,
        'arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb --specs=nosys.specs main.c -o arm.elf' +
          ' && arm-none-eabi-readelf -h arm.elf | grep Machine',
      ),
    ).toMatch(/Machine:\s+ARM/);
    await sh(c, 'mkdir proj');
    await c.writeFile(
      '/home/sandbox/proj/CMakeLists.txt',
      'cmake_minimum_required(VERSION 3.16)\nproject(hello C)\nadd_executable(hello ../main.c)\n',
    );
    expect(await sh(c, 'cmake -S proj -B build -G Ninja && cmake --build build && ./build/hello && echo built')).toMatch(/built\n$/);
    expect(
      await sh(c, 'for t in g++ make ninja gdb valgrind strace git python3; do command -v $t >/dev/null || echo missing $t; done'),
    ).toBe('');
  });
});

describe('image.export / image.import', () => {
  it('exports to .tar.gz, and after the image is removed imports it back, verified and runnable', async () => {
    const archive = join(dir, 'bun.tar.gz');
    expect(await suite.pd.exportImages(archive, { profiles: ['minimal-bun'] })).toEqual(['pocketdock/minimal-bun']);
    await docker.getImage('pocketdock/minimal-bun').remove({ force: true });
    await expect(docker.getImage('pocketdock/minimal-bun').inspect()).rejects.toMatchObject({ statusCode: 404 });

    const imported = await suite.pd.importImages(archive);
    expect(imported).toEqual([expect.objectContaining({ tag: 'pocketdock/minimal-bun:latest', profile: 'minimal-bun', current: true })]);
    expect(imported[0]!.contentHash).toBe(
      (await docker.getImage('pocketdock/minimal-bun').inspect()).Config.Labels['pocketdock.content-hash'],
    );
    const c = await sandbox('minimal-bun');
    expect(await sh(c, 'bun -e "console.log(6 * 7)"')).toBe('42\n');
    // The label matches the checkout: no rebuild.
    expect((await suite.pd.buildImages({ profiles: ['minimal-bun'] }))[0]!.built).toBe(false);
  });

  it('exports several images to a plain .tar and imports it over the existing ones', async () => {
    const archive = join(dir, 'two.tar');
    const progress: number[] = [];
    expect(
      await suite.pd.exportImages(archive, { profiles: ['minimal-python', 'minimal-bun'], onProgress: (p) => progress.push(p.bytes) }),
    ).toEqual(['pocketdock/minimal-python', 'pocketdock/minimal-bun']);
    expect(progress.at(-1)).toBeGreaterThan(100e6);
    const tags = (await suite.pd.importImages(archive)).map((i) => i.tag).sort();
    expect(tags).toEqual(['pocketdock/minimal-bun:latest', 'pocketdock/minimal-python:latest']);
  });

  it('refuses what is not an image archive, and names a missing file', async () => {
    const junk = join(dir, 'junk.tar');
    await writeFile(junk, 'not a tar at all\n'.repeat(1000));
    await expect(suite.pd.importImages(junk)).rejects.toMatchObject({ name: 'PocketDockError' });
    await expect(suite.pd.importImages(join(dir, 'absent.tar'))).rejects.toBeInstanceOf(InvalidParams);
    await expect(suite.pd.exportImages(join(dir, 'x.tar'), { profiles: ['nope'] })).rejects.toMatchObject({
      name: 'InvalidParams',
      field: 'profiles',
    });
  });
});
