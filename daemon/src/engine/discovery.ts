/** Finding a container engine: the reference's socket search order, first one that answers /_ping. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { Dockerode } from './dockerode.js';

export function candidateSockets(env: NodeJS.ProcessEnv = process.env): string[] {
  const list = [
    env.POCKETDOCK_SOCKET,
    env.XDG_RUNTIME_DIR && `${env.XDG_RUNTIME_DIR}/podman/podman.sock`,
    '/run/podman/podman.sock',
    '/var/run/docker.sock',
    `${homedir()}/.local/share/containers/podman/machine/podman.sock`,
    `${homedir()}/.docker/run/docker.sock`,
  ];
  return [...new Set(list.filter((s): s is string => Boolean(s)))];
}

export async function pingSocket(socketPath: string, timeoutMs = 2000): Promise<boolean> {
  if (!existsSync(socketPath)) return false;
  try {
    await new Dockerode({ socketPath, timeout: timeoutMs }).ping();
    return true;
  } catch {
    return false;
  }
}

/** The first candidate that answers, or undefined. */
export async function findEngineSocket(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  for (const socket of candidateSockets(env)) if (await pingSocket(socket)) return socket;
  return undefined;
}

export const NO_ENGINE_HINT =
  'start one: `sudo systemctl start docker`, `systemctl --user start podman.socket`, or run `npm start` in the pocketdock checkout (it installs and starts Docker on Debian)';
