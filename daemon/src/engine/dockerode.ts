/**
 * dockerode, loaded without what a daemon on a Unix socket never runs. dockerode requires its
 * BuildKit session (gRPC, protobuf) and docker-modem its ssh transport (ssh2 and its crypto) as
 * they load: ~13 MB of an idle daemon's resident memory. Before dockerode loads, each of those two
 * files is put in the require cache as a function that loads the real file on its first call (a
 * build with a session, an ssh:// engine): both files export one function, which is all their
 * callers use. node_modules stays as npm installed it.
 */
import { existsSync } from 'node:fs';
import { Module, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type DockerodeClass from 'dockerode';

const require = createRequire(import.meta.url);

/** The files deferred, by the package they sit beside. */
export const DEFERRED = [
  join(dirname(require.resolve('docker-modem')), 'ssh.js'),
  join(dirname(require.resolve('dockerode')), 'session.js'),
];

function defer(path: string): void {
  // Another layout (a dockerode that moved them, or already loaded): loaded as it comes.
  if (!existsSync(path) || require.cache[path]) return;
  let real: ((...args: unknown[]) => unknown) | undefined;
  const stub = new Module(path);
  stub.filename = path;
  stub.loaded = true;
  stub.exports = function (this: unknown, ...args: unknown[]) {
    if (!real) {
      delete require.cache[path];
      real = require(path) as (...args: unknown[]) => unknown;
    }
    return real.apply(this, args);
  };
  require.cache[path] = stub;
}

DEFERRED.forEach(defer);

export const Dockerode = require('dockerode') as typeof DockerodeClass;
