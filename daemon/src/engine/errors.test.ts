// What dockerode throws, case by case, and the typed error each becomes.
import { describe, expect, it } from 'vitest';
import { DaemonError } from '../errors.js';
import { mapEngineError, type FailureContext } from './errors.js';

const SOCKET = '/run/engine.sock';
const at = (ctx: Omit<FailureContext, 'socketPath'> = {}): FailureContext => ({ socketPath: SOCKET, ...ctx });
const http = (statusCode: number, message: string) => ({ statusCode, json: { message } });

describe('mapEngineError', () => {
  it.each([
    ['no socket', { code: 'ENOENT', message: 'connect ENOENT' }, at(), 'SocketConnectionError', { socketPath: SOCKET }],
    ['refused', { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }, at(), 'SocketConnectionError', { socketPath: SOCKET }],
    ['no permission', { code: 'EACCES', message: 'connect EACCES' }, at(), 'SocketConnectionError', { socketPath: SOCKET }],
    ['a hang-up', { code: 'ECONNRESET', message: 'socket hang up' }, at(), 'SocketCommunicationError', { detail: 'socket hang up' }],
    [
      'a missing file',
      http(404, 'Could not find the file /x in container c1'),
      at({ containerId: 'c1', path: '/x' }),
      'FileNotFound',
      { containerId: 'c1', path: '/x' },
    ],
    [
      'a missing file on Podman',
      http(404, 'no such file or directory'),
      at({ containerId: 'c1', path: '/x' }),
      'FileNotFound',
      { containerId: 'c1', path: '/x' },
    ],
    ['a file refused', http(400, 'cannot overwrite directory'), at({ containerId: 'c1', path: '/d' }), 'FileError', { path: '/d' }],
    [
      'a missing image',
      http(404, 'No such image: pocketdock/nope:latest'),
      at({ image: 'pocketdock/nope' }),
      'ImageNotFound',
      { image: 'pocketdock/nope' },
    ],
    ['a missing container', http(404, 'No such container: c9'), at({ containerId: 'c9' }), 'ContainerNotFound', { containerId: 'c9' }],
    [
      'a stopped container',
      http(409, 'Container c2 is not running'),
      at({ containerId: 'c2' }),
      'ContainerNotRunning',
      { containerId: 'c2' },
    ],
    [
      'a paused container',
      http(409, 'Container c2 is paused, unpause the container before exec'),
      at({ containerId: 'c2' }),
      'ContainerNotRunning',
      {},
    ],
    [
      'another container failure',
      http(500, 'driver failed'),
      at({ containerId: 'c3' }),
      'ContainerError',
      { containerId: 'c3', detail: 'driver failed' },
    ],
    ['any other failure', http(500, 'driver failed'), at(), 'PocketDockError', { detail: 'driver failed' }],
  ])('%s', (_what, thrown, ctx, type, fields) => {
    const err = mapEngineError(thrown, ctx) as DaemonError;
    expect(err).toBeInstanceOf(DaemonError);
    expect(err.type).toBe(type);
    expect(err.fields).toMatchObject(fields);
  });

  it('passes a typed error through unchanged', () => {
    const typed = new DaemonError('ProcessLost', 'x', { execId: 'e', detail: 'd' });
    expect(mapEngineError(typed, at())).toBe(typed);
  });
});
