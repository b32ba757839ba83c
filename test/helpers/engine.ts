/** The engine as the tests see it directly (to check what the daemon did), via dockerode. */
import Docker from 'dockerode';

export const ENGINE_SOCKET = process.env.POCKETDOCK_SOCKET ?? '/var/run/docker.sock';
export const docker = new Docker({ socketPath: ENGINE_SOCKET });

export async function exists(containerId: string): Promise<boolean> {
  try {
    await docker.getContainer(containerId).inspect();
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}
