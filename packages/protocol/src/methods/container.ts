/** container.*: creating sandboxes, running commands in them, inspecting and shutting them down. */
import { Type, type Static } from '@sinclair/typebox';
import { ContainerHandle, ContainerInfo, ExecResult } from '../types.js';
import { EngineSocket, ExecId, Seconds, addressed, method, oneOf, params } from './spec.js';

export const LANGS = ['sh', 'bash', 'python', 'node'] as const;
export const Lang = oneOf(LANGS, 'how the command text is run: sh -c, bash -c, python3 -c, node -e');
export type Lang = Static<typeof Lang>;

export const CreateOptions = params({
  image: Type.Optional(Type.String({ minLength: 1, description: 'Image tag; default pocketdock/minimal-python' })),
  name: Type.Optional(Type.String({ pattern: '^[a-zA-Z0-9][a-zA-Z0-9_.-]*$', maxLength: 128 })),
  timeout: Type.Optional(Seconds),
  memLimit: Type.Optional(Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?[bkmgBKMG]?$', description: 'e.g. "256m", "1g"' })),
  cpuPercent: Type.Optional(Type.Number({ exclusiveMinimum: 0, maximum: 100 })),
  persist: Type.Optional(Type.Boolean()),
  volumes: Type.Optional(Type.Record(Type.String({ minLength: 1 }), Type.String({ pattern: '^/' }), { description: 'host path → container path' })),
  project: Type.Optional(Type.String()),
  projectRoot: Type.Optional(Type.String({ pattern: '^/', description: 'Absolute project root (holding .pocketdock/pocketdock.yaml): the container gets an instance dir there' })),
  profile: Type.Optional(Type.String({ minLength: 1 })),
  devices: Type.Optional(Type.Array(Type.String({ pattern: '^/' }))),
  ports: Type.Optional(Type.Record(Type.String({ pattern: '^[0-9]+$' }), Type.Integer({ minimum: 1, maximum: 65535 }),
    { description: 'host port → container port', additionalProperties: false })),
  socketPath: Type.Optional(EngineSocket),
});
export type CreateOptions = Static<typeof CreateOptions>;

/** Options every way of running a command shares. */
export const RunOptions = {
  timeout: Type.Optional(Seconds),
  maxOutput: Type.Optional(Type.Integer({ minimum: 0, description: 'bytes kept per stream; default 10 MiB' })),
  lang: Type.Optional(Lang),
};

export const CONTAINER_METHODS = {
  'container.create': method(
    CreateOptions,
    ContainerHandle,
    'Creates and starts a sandbox container.'),
  'container.info': method(
    addressed({}),
    ContainerInfo,
    'A live snapshot of a container: status, resources, network, processes.'),
  'container.run': method(
    addressed({ command: Type.String(), execId: Type.Optional(ExecId), ...RunOptions }),
    ExecResult,
    'Runs a command to completion and returns its output.'),
  'container.shutdown': method(
    addressed({ force: Type.Optional(Type.Boolean()) }),
    Type.Null(),
    'Stops the container; removes it unless it is persistent.'),
} as const;
