/**
 * The engine's archive API: a container's files as tar streams, both ways. Failures name the
 * container path (FileNotFound, FileError) rather than the container.
 */
import type { Readable } from 'node:stream';
import type { Engine } from './engine.js';
import { mapEngineError } from './errors.js';

/**
 * Unpacks `tar` into the existing directory `dir`; resolves once the engine has written all of it.
 * Replacing a directory with a file (or the reverse) is refused rather than done.
 */
export async function putArchive(engine: Engine, containerId: string, dir: string, tar: NodeJS.ReadableStream): Promise<void> {
  try {
    await engine.docker.getContainer(containerId).putArchive(tar, { path: dir, noOverwriteDirNonDir: true });
  } catch (err) {
    throw mapEngineError(err, { socketPath: engine.socketPath, containerId, path: dir });
  }
}

/** A tar of `path` — a file, a symlink (not followed) or a directory tree — as the engine streams it. */
export async function getArchive(engine: Engine, containerId: string, path: string): Promise<Readable> {
  try {
    return (await engine.docker.getContainer(containerId).getArchive({ path })) as Readable;
  } catch (err) {
    throw mapEngineError(err, { socketPath: engine.socketPath, containerId, path });
  }
}
