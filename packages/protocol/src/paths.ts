/**
 * Where a local daemon listens and keeps its state, by convention shared by daemon and clients.
 * Pure functions of the environment so that both sides (and tests) compute the same answer.
 */
export interface PathEnv {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly uid: number;
  readonly home: string;
}

export const DEFAULT_PORT = 7117;

export function defaultSocketPath({ env, uid }: PathEnv): string {
  if (uid === 0) return '/run/pocketdock/pocketdock.sock';
  const runtime = env.XDG_RUNTIME_DIR;
  return runtime ? `${runtime}/pocketdock/pocketdock.sock` : `/tmp/pocketdock-${uid}/pocketdock.sock`;
}

export function defaultStateDir({ env, uid, home }: PathEnv): string {
  if (env.POCKETDOCK_STATE_DIR) return env.POCKETDOCK_STATE_DIR;
  if (uid === 0) return '/var/lib/pocketdock';
  return `${env.XDG_STATE_HOME ?? `${home}/.local/state`}/pocketdock`;
}
