// A build that fails at a Dockerfile step reaches the TypeScript client as ImageBuildError with the
// engine's words in `data`, and `pocketdock build` prints one line about it and exits non-zero. The
// failing step is real: the daemon builds a profile FROM a base without a shell
// (POCKETDOCK_BASE_IMAGE), so its first RUN cannot start. A failed build leaves the profile's tag as it was.
import tar from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageBuildError } from '../../client/src/index.js';
import { cliFor } from '../helpers/cli.js';
import { startDaemon, type TestDaemon } from '../helpers/daemon.js';
import { availableEngines } from '../helpers/engines.js';

const engines = await availableEngines();
// localhost/: Podman looks a short name up in registries first, and none is reachable. Tag latest:
// Podman's import ignores the tag asked for.
const SHELLESS = `localhost/pocketdock-test-shellless-${process.pid}`;

/** An image's only layer: one empty file, no shell. */
function oneFileLayer(): tar.Pack {
  const pack = tar.pack();
  pack.entry({ name: 'EMPTY' }, '');
  pack.finalize();
  return pack;
}

const STEP_FAILED = /stat \/bin\/sh: no such file|STEP "RUN sh \/tmp\/pocketdock\/common\/setup\.sh/;

let d: TestDaemon;

beforeAll(async () => {
  for (const e of engines) {
    const output = await e.docker.importImage(oneFileLayer() as unknown as string, { repo: SHELLESS, tag: 'latest' });
    await new Promise((resolve, reject) => e.docker.modem.followProgress(output, (err) => (err ? reject(err) : resolve(undefined))));
  }
  d = await startDaemon({ env: { POCKETDOCK_BASE_IMAGE: SHELLESS } });
});

afterAll(async () => {
  await d?.stop();
  for (const e of engines)
    await e.docker
      .getImage(SHELLESS)
      .remove({ force: true })
      .catch(() => undefined);
});

/** The id of the profile's image now, undefined when there is none. */
const imageId = (e: (typeof engines)[number]) =>
  e.docker
    .getImage('pocketdock/minimal-python')
    .inspect()
    .then((i) => i.Id)
    .catch(() => undefined);

describe.each(engines)('a failing image build on $name', (e) => {
  it('reaches the client as ImageBuildError naming the image, with the failed step in data', async () => {
    const before = await imageId(e);
    const pd = await d.client();
    try {
      const err = await pd.buildImages({ profiles: ['minimal-python'], force: true, socketPath: e.socketPath }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(err).toBeInstanceOf(ImageBuildError);
      const { image, detail } = (err as ImageBuildError).data as { image: string; detail: string };
      expect(image).toBe('pocketdock/minimal-python');
      expect((err as ImageBuildError).image).toBe(image);
      // The engine's own words about the failed step: Docker says the shell is not there, Podman names the step.
      expect(detail).toMatch(STEP_FAILED);
      expect((err as Error).message).toBe(`building pocketdock/minimal-python failed: ${detail}`);
    } finally {
      await pd.close();
    }
    expect(await imageId(e)).toBe(before);
  });

  it('makes `pocketdock build` print one line about it and exit non-zero', async () => {
    const r = await cliFor(d.socketPath)(['--socket', e.socketPath, 'build', 'minimal-python', '--force']);
    expect(r.code).toBe(1);
    // Before it, off a terminal: the build's steps as progress lines ("minimal-python: step …").
    const lines = r.stderr.trim().split('\n');
    expect(lines.filter((l) => !l.startsWith('minimal-python: step '))).toEqual([lines.at(-1)]);
    expect(lines.at(-1)).toMatch(/^pocketdock: building pocketdock\/minimal-python failed: /);
    expect(lines.at(-1)).toMatch(STEP_FAILED);
  });
});
