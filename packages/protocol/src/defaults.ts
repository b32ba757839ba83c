/**
 * The values users rely on, in one place: schema descriptions, the daemon and the clients read them
 * from here instead of restating them.
 */
export const DEFAULTS = {
  /** Image of a container created without image or profile. */
  image: 'pocketdock/minimal-python',
  /** A container's default exec timeout, in seconds. */
  timeoutSeconds: 30,
  /** Bytes of output kept per stream by a blocking or streamed run. */
  maxOutput: 10 * 1024 * 1024,
  /** Ring buffer bytes per stream of a detached process or session. */
  bufferSize: 1024 * 1024,
  /** The sandbox user's home: working directory, listFiles' default, base of relative paths. */
  home: '/home/sandbox',
  /** The user commands run as. */
  user: 'sandbox',
} as const;

/** "10 MiB", "1 MiB": a byte count as the docs say it. */
export function mib(bytes: number): string {
  return `${bytes / (1024 * 1024)} MiB`;
}

/**
 * Labels are the truth about a managed container: everything needed to rebuild a handle (after a
 * restart, from another client, from `doctor`) is written on the container at creation.
 */
export const LABEL = {
  managed: 'pocketdock.managed',
  instance: 'pocketdock.instance',
  persist: 'pocketdock.persist',
  project: 'pocketdock.project',
  dataPath: 'pocketdock.data-path',
  createdAt: 'pocketdock.created-at',
  timeout: 'pocketdock.timeout',
  profile: 'pocketdock.profile',
  memLimit: 'pocketdock.mem-limit',
  cpuPercent: 'pocketdock.cpu-percent',
  /**
   * A warm-pool container: its value is the name it was created with, so it is idle (invisible to
   * list, prune, resolve) while it still has that name, and handed out once it was renamed.
   */
  pool: 'pocketdock.pool',
  /** Which daemon's pool an idle container belongs to (a hash of its state dir). */
  poolOwner: 'pocketdock.pool-owner',
  /** What a pool container was made for (a hash of its create request but name, labels and limits). */
  poolKey: 'pocketdock.pool-key',
  /** The one pocketdock label a snapshot image keeps: the container it was taken from. */
  snapshotOf: 'pocketdock.snapshot-of',
} as const;
