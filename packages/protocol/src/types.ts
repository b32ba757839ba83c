/** Shapes shared by several methods: the result types of the public API, camelCase. */
import { Type, type Static } from '@sinclair/typebox';

export const ExecResult = Type.Object(
  {
    exitCode: Type.Integer({
      description:
        "Exit code of the command; 128+N when killed by signal N; -1 when nobody can know it (an exec found again after a restart that the container's agent did not run, or one whose engine went away or whose container was stopped or removed under it: a blocking run, exec.wait and a streamed run then fail with that typed error instead — SocketConnectionError, ContainerNotRunning, ContainerGone)",
    }),
    stdout: Type.String(),
    stderr: Type.String(),
    durationMs: Type.Number({ minimum: 0 }),
    timedOut: Type.Boolean({ description: 'True only when the command was stopped because it ran past its timeout' }),
    truncated: Type.Boolean({ description: 'True when stdout or stderr was cut at maxOutput bytes' }),
    ok: Type.Boolean({ description: 'exitCode == 0 and not timedOut' }),
  },
  { $id: 'ExecResult' },
);
export type ExecResult = Static<typeof ExecResult>;

export const ContainerHandle = Type.Object(
  {
    containerId: Type.String(),
    name: Type.String(),
    socketPath: Type.String({ description: 'The engine socket this container lives on' }),
    persist: Type.Boolean(),
    project: Type.String(),
    dataPath: Type.String({ description: 'Instance data directory, "" when the container has no project' }),
    timeout: Type.Number({ description: 'Default exec timeout in seconds' }),
  },
  { $id: 'ContainerHandle' },
);
export type ContainerHandle = Static<typeof ContainerHandle>;

export const SandboxLimits = Type.Object(
  {
    memoryBytes: Type.Integer({ description: 'memory limit; 0 = none' }),
    cpuPercent: Type.Number({ description: 'CPU limit, 100 = one core; 0 = none' }),
    pidsLimit: Type.Integer({ description: 'most processes and threads; 0 = none' }),
    nofile: Type.Integer({ description: "open files per process; 0 = the engine's default" }),
    nproc: Type.Integer({ description: "processes per user id; 0 = the engine's default" }),
    capabilities: Type.Array(Type.String(), { description: 'what a root process in the sandbox may still have (the bounding set)' }),
    noNewPrivileges: Type.Boolean({ description: 'setuid binaries and file capabilities grant nothing' }),
    seccomp: Type.Boolean({ description: "the engine's syscall filter is on" }),
    runtime: Type.String({ description: 'the OCI runtime, "" = the engine\'s default' }),
    logMaxSize: Type.String({ description: 'size at which the engine rotates the log, "" = none' }),
  },
  { $id: 'SandboxLimits', description: 'The limits and hardening in effect, as the engine reports them (docs/security.md)' },
);
export type SandboxLimits = Static<typeof SandboxLimits>;

/** The fields that name a container and its state, alike in a list row and in info(). */
export const containerIdentity = {
  id: Type.String(),
  name: Type.String(),
  status: Type.String({ description: '"running", "exited", "created", …' }),
  image: Type.String(),
  createdAt: Type.String({ description: 'ISO 8601' }),
};

export const ContainerInfo = Type.Object(
  {
    ...containerIdentity,
    startedAt: Type.String(),
    uptime: Type.String({ description: 'Human uptime, "" when not running' }),
    memoryUsage: Type.String({ description: 'e.g. "42.1 MB"' }),
    memoryLimit: Type.String({ description: '"" when unlimited' }),
    memoryPercent: Type.Number(),
    cpuPercent: Type.Number(),
    pids: Type.Integer(),
    network: Type.Boolean(),
    ipAddress: Type.String(),
    ports: Type.Record(Type.String(), Type.Integer(), { description: 'host port → container port' }),
    processes: Type.Array(Type.Record(Type.String(), Type.String()), { description: 'rows of `top`, keyed by column title' }),
    limits: SandboxLimits,
    execVia: Type.Union([Type.Literal('agent'), Type.Literal('engine')], {
      description: 'how commands run: "agent", the in-container supervisor (fast), or "engine", one engine exec each',
    }),
    execNote: Type.String({ description: 'why commands run as engine execs; "" through the agent' }),
  },
  { $id: 'ContainerInfo' },
);
export type ContainerInfo = Static<typeof ContainerInfo>;
