/**
 * The spine's costs: exec round trip of `true` through client+daemon against dockerode directly
 * (target 1.10x), and createNewContainer against raw create+start (target 1.05x), same run, interleaved.
 */
import { DEFAULTS } from '@pocketdock/protocol';
import { docker } from '../helpers/engines.js';
import { startDaemon } from '../helpers/daemon.js';
import { report, sample } from './stats.js';

async function rawExec(id: string): Promise<void> {
  const exec = await docker.getContainer(id).exec({ Cmd: ['sh', '-c', 'true'], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  stream.resume();
  await new Promise((r) => stream.once('end', r));
  await exec.inspect();
}

async function rawCreate(): Promise<string> {
  const c = await docker.createContainer({ Image: DEFAULTS.image, Cmd: ['sleep', 'infinity'], Labels: { 'pocketdock.bench': 'true' } });
  await c.start();
  return c.id;
}

export default async function main(): Promise<void> {
  const d = await startDaemon();
  const pd = await d.client();
  const c = await pd.createNewContainer();
  const rawId = await rawCreate();
  const n = 40;
  const ours: number[] = [],
    raw: number[] = [];
  for (let i = 0; i < n; i++) {
    ours.push(...(await sample(1, () => c.run('true'))));
    raw.push(...(await sample(1, () => rawExec(rawId))));
  }
  report('exec round trip (true)', ours, raw, 1.1);

  const created: string[] = [];
  const oursC: number[] = [],
    rawC: number[] = [];
  for (let i = 0; i < 12; i++) {
    oursC.push(
      ...(await sample(1, async () => {
        created.push((await pd.createNewContainer()).containerId);
      })),
    );
    rawC.push(
      ...(await sample(1, async () => {
        created.push(await rawCreate());
      })),
    );
  }
  report('createNewContainer vs create+start', oursC, rawC, 1.05);

  await Promise.all([...created, rawId, c.containerId].map((id) => docker.getContainer(id).remove({ force: true })));
  await pd.close();
  await d.stop();
}
