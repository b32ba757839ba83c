/** Translates createNewContainer's options into the engine's create request. */
import type { ContainerCreateRequest, HostConfig } from '../engine/index.js';
import { DEFAULTS, type CreateOptions } from '@pocketdock/protocol';
import { invalidParams } from '../errors.js';
import { hardenedHostConfig, type SandboxConfig } from './hardening.js';
import { LABEL } from './labels.js';

const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** "256m" → bytes; the schema has already checked the shape. */
export function parseMemLimit(text: string): number {
  const m = /^([0-9]+(?:\.[0-9]+)?)([bkmg])?$/i.exec(text);
  if (!m) throw invalidParams('memLimit', `"${text}" is not a size like "256m" or "1g"`);
  const bytes = Math.floor(Number(m[1]) * UNITS[(m[2] ?? 'b').toLowerCase()]!);
  if (bytes < 6 * 1024 ** 2) throw invalidParams('memLimit', "must be at least 6m (the engine's minimum)");
  // The engine reads it as a 64-bit integer; past 2^53 a JSON number is no longer exact either.
  if (!Number.isSafeInteger(bytes)) throw invalidParams('memLimit', `must be at most ${MAX_MEM_LIMIT}`);
  return bytes;
}

/** The largest memLimit, in the units it is written in: just under 8 PiB (2^53 bytes). */
const MAX_MEM_LIMIT = '8388607g';

/** A published port's host side: a port number, 0 for any free one. */
function hostPort(text: string): string {
  const port = Number(text);
  if (port > 65535) throw invalidParams('ports', `host port ${text} is not a port (0-65535)`);
  return String(port);
}

export interface ResolvedCreate {
  name: string;
  image: string;
  /** The engine's NetworkMode: 'none' (loopback only), or the network sandboxes join (network/). */
  networkMode: string;
  createdAt: string;
  dataPath: string;
  /** The daemon's sandbox defaults and hardening. */
  sandbox: SandboxConfig;
  /** The image runs an init as PID 1 already (pocketdock's images: tini). */
  imageHasInit: boolean;
}

export function engineCreateOptions(opts: CreateOptions, r: ResolvedCreate): ContainerCreateRequest {
  const labels: Record<string, string> = {
    [LABEL.managed]: 'true',
    [LABEL.instance]: r.name,
    [LABEL.persist]: String(opts.persist ?? false),
    [LABEL.createdAt]: r.createdAt,
    [LABEL.timeout]: String(opts.timeout ?? DEFAULTS.timeoutSeconds),
  };
  if (opts.project) labels[LABEL.project] = opts.project;
  if (r.dataPath) labels[LABEL.dataPath] = r.dataPath;
  if (opts.profile) labels[LABEL.profile] = opts.profile;
  if (opts.memLimit) labels[LABEL.memLimit] = opts.memLimit;
  if (opts.cpuPercent !== undefined) labels[LABEL.cpuPercent] = String(opts.cpuPercent);

  const ports = Object.entries(opts.ports ?? {}).map(([host, inside]) => [hostPort(host), inside] as const);
  const hostConfig: HostConfig = {
    ...hardenedHostConfig(r.sandbox, r.imageHasInit),
    NetworkMode: r.networkMode,
    Binds: Object.entries(opts.volumes ?? {}).map(([host, inside]) => `${host}:${inside}`),
    Devices: (opts.devices ?? []).map((d) => ({ PathOnHost: d, PathInContainer: d, CgroupPermissions: 'rwm' })),
    // Published ports listen on loopback only: a sandbox is not a server for the network.
    PortBindings: Object.fromEntries(ports.map(([host, inside]) => [`${inside}/tcp`, [{ HostIp: '127.0.0.1', HostPort: host }]])),
  };
  const memLimit = opts.memLimit ?? r.sandbox.memory;
  if (memLimit) {
    hostConfig.Memory = parseMemLimit(memLimit);
    hostConfig.MemorySwap = hostConfig.Memory;
  }
  const cpuPercent = opts.cpuPercent ?? (r.sandbox.cpuPercent || undefined);
  if (cpuPercent !== undefined) {
    hostConfig.CpuPeriod = 100_000;
    hostConfig.CpuQuota = Math.max(1000, Math.round(cpuPercent * 1000));
  }
  return {
    name: r.name,
    Image: r.image,
    // Whatever the image would run, a sandbox's main process only keeps it alive; our images put
    // an init in front of it as their entrypoint.
    Cmd: ['sleep', 'infinity'],
    Labels: labels,
    Tty: false,
    OpenStdin: false,
    ExposedPorts: Object.fromEntries(ports.map(([, inside]) => [`${inside}/tcp`, {}])),
    HostConfig: hostConfig,
  };
}
