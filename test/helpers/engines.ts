/**
 * The engines the integration suites run against: Docker and Podman where they answer. When CI
 * expects Podman (POCKETDOCK_TEST_PODMAN=1) and it does not answer, this throws instead of skipping.
 */
import Docker from 'dockerode';
import { afterAll } from 'vitest';

export interface TestEngine {
  name: 'docker' | 'podman';
  socketPath: string;
  /** Direct access, for what a user would do with the engine's own CLI. */
  docker: Docker;
}

export const DOCKER_SOCKET = '/var/run/docker.sock';

/** Docker directly, the engine test daemons are pinned to: to check what a daemon did, as a user's CLI would. */
export const docker = new Docker({ socketPath: DOCKER_SOCKET });

/** The container's processes as the host sees them: host pid and command line (the engine's top). */
export async function containerProcesses(containerId: string, on: Docker = docker): Promise<{ pid: number; args: string }[]> {
  const top = await on.getContainer(containerId).top({ ps_args: '-eo pid,args' });
  return (top.Processes as string[][]).map(([pid, args]) => ({ pid: Number(pid), args: args ?? '' }));
}

export async function exists(containerId: string, on: Docker = docker): Promise<boolean> {
  try {
    await on.getContainer(containerId).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

const CANDIDATES = [
  { name: 'docker', socketPath: DOCKER_SOCKET },
  { name: 'podman', socketPath: '/run/podman/podman.sock' },
] as const;

async function answers(socketPath: string): Promise<boolean> {
  try {
    await new Docker({ socketPath, timeout: 3000 }).ping();
    return true;
  } catch {
    return false;
  }
}

export async function availableEngines(env: NodeJS.ProcessEnv = process.env): Promise<TestEngine[]> {
  const found: TestEngine[] = [];
  for (const c of CANDIDATES) {
    if (await answers(c.socketPath)) found.push({ ...c, docker: new Docker({ socketPath: c.socketPath }) });
    else if (c.name === 'podman' && env.POCKETDOCK_TEST_PODMAN === '1') {
      throw new Error(`POCKETDOCK_TEST_PODMAN=1 but Podman does not answer on ${c.socketPath}: run scripts/podman-up.sh`);
    }
  }
  if (found.length === 0) throw new Error('no container engine answers: run scripts/engine-up.sh');
  return found;
}

/** What a test file made, by name or id: removed (forced) from every given engine after its tests, however they ended. */
export function removeAfterAll(engines: readonly { docker: Docker }[] = [{ docker }]): { containers: string[]; images: string[] } {
  const made = { containers: [] as string[], images: [] as string[] };
  afterAll(async () => {
    for (const e of engines) {
      await Promise.all(
        made.containers.map((c) =>
          e.docker
            .getContainer(c)
            .remove({ force: true })
            .catch(() => undefined),
        ),
      );
      for (const image of made.images)
        await e.docker
          .getImage(image)
          .remove({ force: true })
          .catch(() => undefined);
    }
  });
  return made;
}
