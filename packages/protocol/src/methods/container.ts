/** container.*: creating sandboxes, running commands in them, inspecting, listing and their lifecycle. */
import { Type, type Static } from '@sinclair/typebox';
import { LANGS } from '../constants.js';
import { DEFAULTS, mib } from '../defaults.js';
import { ContainerHandle, ContainerInfo, containerIdentity, ExecResult } from '../types.js';
import { EngineSocket, ExecId, Seconds, addressed, method, notification, oneOf, params } from './spec.js';

export const Lang = oneOf(LANGS, 'how the command text is run: sh -c, bash -c, python3 -c, node -e');
export type Lang = Static<typeof Lang>;

export const CreateOptions = params({
  image: Type.Optional(Type.String({ minLength: 1, description: `Image tag; default ${DEFAULTS.image}` })),
  name: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$', maxLength: 128 })),
  timeout: Type.Optional(Seconds),
  memLimit: Type.Optional(Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?[bkmgBKMG]?$', description: 'e.g. "256m", "1g"' })),
  cpuPercent: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
  persist: Type.Optional(Type.Boolean()),
  lease: Type.Optional(
    Type.Boolean({
      description:
        "false: no client holds the (non-persistent) container, which stays until it is shut down, as a command line's `create` needs (it exits at once); default true: leased to its creator",
    }),
  ),
  volumes: Type.Optional(
    Type.Record(Type.String({ minLength: 1 }), Type.String({ pattern: '^/' }), { description: 'host path → container path' }),
  ),
  project: Type.Optional(Type.String()),
  projectRoot: Type.Optional(
    Type.String({
      pattern: '^/',
      description: 'Absolute project root (holding .pocketdock/pocketdock.yaml): the container gets an instance dir there',
    }),
  ),
  profile: Type.Optional(Type.String({ minLength: 1 })),
  devices: Type.Optional(Type.Array(Type.String({ pattern: '^/' }))),
  ports: Type.Optional(
    Type.Record(Type.String({ pattern: '^[0-9]+$' }), Type.Integer({ minimum: 1, maximum: 65535 }), {
      description: 'host port → container port',
      additionalProperties: false,
    }),
  ),
  socketPath: Type.Optional(EngineSocket),
});
export type CreateOptions = Static<typeof CreateOptions>;

/** Options every way of running a command shares. */
export const RunOptions = {
  timeout: Type.Optional(Seconds),
  maxOutput: Type.Optional(Type.Integer({ minimum: 0, description: `bytes kept per stream; default ${mib(DEFAULTS.maxOutput)}` })),
  lang: Type.Optional(Lang),
};

export const Lease = Type.Object(
  {
    holder: Type.String({
      description: 'the holder\'s client name from daemon.hello ("anonymous" without one; "released" after container.release)',
    }),
    connected: Type.Boolean({
      description: 'the holder has a WebSocket open (a POST /rpc holder renews by calling instead: see expiresAt)',
    }),
    expiresAt: Type.Union([Type.String(), Type.Null()], {
      description: 'ISO 8601: when the container is removed unless its holder comes back or calls; null while connected',
    }),
  },
  { $id: 'Lease' },
);
export type Lease = Static<typeof Lease>;

export const ContainerListItem = Type.Object(
  {
    ...containerIdentity,
    persist: Type.Boolean(),
    project: Type.String({ description: '"" when the container has no project' }),
    lease: Type.Union([Lease, Type.Null()], {
      description: 'who holds the container; null when nobody does (persistent, or created without a resume token)',
    }),
  },
  { $id: 'ContainerListItem' },
);
export type ContainerListItem = Static<typeof ContainerListItem>;

export const ImageName = Type.String({
  pattern: '^[a-z0-9][a-z0-9._/-]*(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?$',
  maxLength: 255,
  description: 'repository[:tag]',
});

/**
 * Notification `container.changed`: a managed container was created, started, stopped, paused or
 * removed — by any client, or behind the daemon's back — on an engine the connection watches, or
 * its lease changed (a holder took it, went away and its grace started, released it, came back).
 */
export const ContainerChanged = Type.Object({
  id: Type.String(),
  name: Type.String(),
  action: Type.String({
    description:
      'the engine\'s event ("create", "start", "die", "pause", "unpause", "rename", "destroy"), or "lease" when only the lease changed',
  }),
  socketPath: Type.String({ description: 'The engine the container lives on' }),
  /** The container as container.list shows it now; absent once it is removed. */
  container: Type.Optional(ContainerListItem),
});
export type ContainerChanged = Static<typeof ContainerChanged>;

/**
 * Notification `container.stats`: one sample of a running container's resources, at the engine's
 * own pace (Docker every second, Podman every five), for the connections that called
 * container.watchStats — what container.info answers about resources, without asking.
 */
export const StatsSample = Type.Object(
  {
    containerId: Type.String(),
    at: Type.String({ description: 'ISO 8601: when the engine read the sample' }),
    uptime: Type.String({ description: 'Human uptime at `at`' }),
    cpuPercent: Type.Number({ description: 'since the previous sample; 100 = one core' }),
    memoryUsage: Type.String({ description: 'e.g. "42.1 MB"' }),
    memoryLimit: Type.String({ description: '"" when unlimited' }),
    memoryPercent: Type.Number({ description: 'of the limit; 0 when unlimited' }),
    pids: Type.Integer(),
  },
  { $id: 'StatsSample' },
);
export type StatsSample = Static<typeof StatsSample>;

export const CONTAINER_NOTIFICATIONS = {
  'container.changed': notification(
    ContainerChanged,
    'A managed container changed (created, started, stopped, paused, renamed or removed) or its lease did (action "lease": held, its holder gone, released, adopted), to connections that called container.watch: the list item as it is now, so a client keeps its list current without listing again.',
  ),
  'container.stats': notification(
    StatsSample,
    "A resource sample of a container this connection called container.watchStats on, at the engine's pace (Docker every second, Podman every five seconds), until the container stops or the connection calls container.unwatchStats.",
  ),
} as const;

export const CONTAINER_METHODS = {
  'container.create': method(CreateOptions, ContainerHandle, 'Creates and starts a sandbox container.'),
  'container.info': method(addressed({}), ContainerInfo, 'A live snapshot of a container: status, resources, network, processes.'),
  'container.run': method(
    addressed({ command: Type.String(), execId: Type.Optional(ExecId), ...RunOptions }),
    ExecResult,
    'Runs a command to completion and returns its output.',
  ),
  'container.shutdown': method(
    addressed({ force: Type.Optional(Type.Boolean()) }),
    Type.Null(),
    'Stops the container; removes it unless it is persistent.',
  ),
  'container.list': method(
    params({ project: Type.Optional(Type.String()), socketPath: Type.Optional(EngineSocket) }),
    Type.Array(ContainerListItem),
    'Every managed container, running or stopped, optionally of one project.',
  ),
  'container.watch': method(
    params({ socketPath: Type.Optional(EngineSocket) }),
    Type.Null(),
    "This connection gets container.changed for every managed container of the engine (default: the daemon's) until it closes or calls container.unwatch.",
  ),
  'container.unwatch': method(
    params({ socketPath: Type.Optional(EngineSocket) }),
    Type.Null(),
    "Stops this connection's container.changed notifications for the engine.",
  ),
  'container.watchStats': method(
    addressed({}),
    Type.Null(),
    'This connection gets container.stats for the running container until it stops (call again once it runs again) or the connection unwatches or closes. The daemon follows at most limits.maxStatsWatches of these at once (InvalidRequest past it).',
  ),
  'container.unwatchStats': method(
    addressed({}),
    Type.Null(),
    "Stops this connection's container.stats for the container (id or name as given to container.watchStats).",
  ),
  'container.resume': method(
    addressed({}),
    ContainerHandle,
    'Starts a stopped container again, file system intact; a running one is returned as is.',
  ),
  'container.stop': method(addressed({}), Type.Null(), 'Stops a container without removing it, whatever persist says.'),
  'container.destroy': method(addressed({}), Type.Null(), 'Removes a container whatever persist says, and its instance dir.'),
  'container.prune': method(
    params({ project: Type.Optional(Type.String()), socketPath: Type.Optional(EngineSocket) }),
    Type.Integer({ minimum: 0, description: 'how many containers were removed' }),
    'Removes every stopped managed container (optionally of one project).',
  ),
  'container.reboot': method(
    addressed({ fresh: Type.Optional(Type.Boolean({ description: 'recreate from the image with the same settings' })) }),
    ContainerHandle,
    'Restarts a container; fresh recreates it (new id, same name, labels and settings).',
  ),
  'container.get': method(
    addressed({}),
    ContainerHandle,
    'The handle of an existing container by id or name, for sharing it: the lease stays where it is.',
  ),
  'container.release': method(
    addressed({}),
    Type.Null(),
    "Lets go of the caller's lease: the container is removed after the grace period unless a process adopts it.",
  ),
  'container.adopt': method(
    addressed({}),
    ContainerHandle,
    'Takes the lease of a non-persistent container: it now lives as long as the caller (plus the grace period).',
  ),
  'container.snapshot': method(
    addressed({ imageName: ImageName }),
    Type.String({ description: "the new image's id" }),
    "Commits the container's file system to an image.",
  ),
} as const;
