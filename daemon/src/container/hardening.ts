/**
 * What every sandbox gets whoever asks (docs/security.md): capabilities dropped but for a short list,
 * no-new-privileges, the engine's default seccomp profile (never turned off), pids/memory/CPU limits,
 * file and process ulimits, a log size cap, an init, and the configured runtime. Every create goes
 * through here: containers.create, a fresh reboot, the pool.
 */
import type { HostConfig } from '../engine/index.js';
import type { SandboxLimits } from '@pocketdock/protocol';

/** The sandbox defaults of the daemon's config. */
export interface SandboxConfig {
  /** Most processes and threads in one sandbox (a fork bomb stops here). */
  pidsLimit: number;
  /** Memory limit of a sandbox created without memLimit, like "1g"; "" = none. */
  memory: string;
  /** CPU share of a sandbox created without cpuPercent: 100 = one core; 0 = none. */
  cpuPercent: number;
  /** Open files per process. */
  nofile: number;
  /** Processes per user id (counted by the kernel across every container of that uid). */
  nproc: number;
  /** Size at which the engine rotates a sandbox's log (Docker's max-size, one file kept). */
  logMaxSize: string;
  /** OCI runtime, e.g. "runsc" (gVisor); "" = the engine's default. The engine must list it. */
  runtime: string;
}

export const DEFAULT_SANDBOX: SandboxConfig = {
  pidsLimit: 512,
  memory: '1g',
  cpuPercent: 100,
  nofile: 4096,
  nproc: 4096,
  logMaxSize: '10m',
  runtime: '',
};

/**
 * What a root process inside a sandbox may still do (a non-root one gets none of them): own and
 * read/write its files, change user (su in an image's own set-up), signal, bind ports below 1024.
 * Everything else is dropped — raw sockets, mknod, chroot, setfcap, audit, …
 */
export const CAPABILITIES = ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'NET_BIND_SERVICE'] as const;

/** The HostConfig members that harden a sandbox, memory and CPU aside (they come from the request or the config). */
export function hardenedHostConfig(s: SandboxConfig, imageHasInit: boolean): HostConfig {
  return {
    CapDrop: ['ALL'],
    CapAdd: [...CAPABILITIES],
    SecurityOpt: ['no-new-privileges'],
    PidsLimit: s.pidsLimit,
    Ulimits: [
      { Name: 'nofile', Soft: s.nofile, Hard: s.nofile },
      { Name: 'nproc', Soft: s.nproc, Hard: s.nproc },
    ],
    LogConfig: { Type: '', Config: { 'max-size': s.logMaxSize, 'max-file': '1' } },
    // pocketdock's images run tini as PID 1 already; any other image gets the engine's init to reap zombies.
    ...(!imageHasInit && { Init: true }),
    ...(s.runtime && { Runtime: s.runtime }),
  };
}

/** Whether an image's entrypoint is an init that reaps zombies (tini, dumb-init, an init binary). */
export function hasInit(entrypoint: readonly string[]): boolean {
  return /(^|\/)(tini|dumb-init|catatonit|docker-init|init)$/.test(entrypoint[0] ?? '');
}

/** Docker's (and Podman's compat) default capability set: what a container has when nothing is dropped. */
const ENGINE_DEFAULT_CAPS = [
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'NET_RAW',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
];

/** The limits and hardening of a created container, read from its inspect (each engine words them its own way). */
export function effectiveLimits(h: HostConfig): SandboxLimits {
  const cap = (c: string) => c.toUpperCase().replace(/^CAP_/, '');
  const dropped = (h.CapDrop ?? []).map(cap);
  const added = (h.CapAdd ?? []).map(cap);
  const base = dropped.includes('ALL') ? [] : ENGINE_DEFAULT_CAPS.filter((c) => !dropped.includes(c));
  const ulimit = (name: string) => h.Ulimits?.find((u) => cap(u.Name ?? '').replace(/^RLIMIT_/, '') === name.toUpperCase())?.Hard ?? 0;
  const security: string[] = h.SecurityOpt ?? [];
  return {
    memoryBytes: h.Memory ?? 0,
    cpuPercent: h.CpuQuota && h.CpuPeriod ? Math.round((h.CpuQuota / h.CpuPeriod) * 1000) / 10 : 0,
    pidsLimit: h.PidsLimit && h.PidsLimit > 0 ? h.PidsLimit : 0,
    nofile: ulimit('nofile'),
    nproc: ulimit('nproc'),
    capabilities: [...new Set([...base, ...added])].sort(),
    noNewPrivileges: security.some((o) => /^no-new-privileges(:true|=true)?$/.test(o)),
    seccomp: !security.some((o) => /^seccomp[=:]unconfined$/.test(o)),
    runtime: h.Runtime && h.Runtime !== 'oci' ? h.Runtime : '',
    logMaxSize: (h.LogConfig?.Config as Record<string, string> | null | undefined)?.['max-size'] ?? '',
  };
}
