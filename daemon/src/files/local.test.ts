// A host file's handle is closed once its stream has no read in flight, and once only (local.ts).
import { execFileSync } from 'node:child_process';
import { closeSync, constants, fstatSync, mkdtempSync, openSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfter } from './local.js';

describe('closeAfter', () => {
  it('closes the handle only after the read in flight on it has returned, and its descriptor once', async () => {
    const fifo = join(mkdtempSync(join(tmpdir(), 'pd-local-')), 'fifo');
    execFileSync('mkfifo', [fifo]);
    // Read and write, so that neither open waits for the other end; a read then blocks until a byte comes.
    const handle = await open(fifo, constants.O_RDWR);
    const fd = handle.fd;
    const stream = handle.createReadStream();
    stream.on('data', () => undefined);
    // The flow starts on the next tick, whose first read blocks in the thread pool.
    await new Promise((resolve) => setImmediate(resolve));
    closeAfter(stream, handle);
    await new Promise((resolve) => setImmediate(resolve));
    expect([handle.fd, stream.closed]).toEqual([fd, false]);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    writeSync(writer, 'x');
    closeSync(writer);
    if (!stream.closed) await once(stream, 'close');
    await expect.poll(() => handle.fd).toBe(-1);
    // Its number is free: a file opened now takes it, and nothing closes it behind that file's back.
    const next = openSync(fifo, constants.O_RDWR);
    await handle.close();
    expect(() => fstatSync(next)).not.toThrow();
    closeSync(next);
  });

  it('closes the handle at once when there is no stream', async () => {
    const handle = await open(join(mkdtempSync(join(tmpdir(), 'pd-local-')), 'f'), 'w');
    closeAfter(undefined, handle);
    await expect.poll(() => handle.fd).toBe(-1);
  });
});
