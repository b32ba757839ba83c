// A host file's descriptor is closed only once its stream has no read in flight (local.ts).
import { execFileSync } from 'node:child_process';
import { constants, createReadStream, mkdtempSync, openSync, writeSync, closeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeAfter } from './local.js';

describe('closeAfter', () => {
  it('closes the handle only after the read in flight on its descriptor has returned', async () => {
    const fifo = join(mkdtempSync(join(tmpdir(), 'pd-local-')), 'fifo');
    execFileSync('mkfifo', [fifo]);
    // Read and write, so that neither open waits for the other end; a read then blocks until a byte comes.
    const handle = await open(fifo, constants.O_RDWR);
    const closes: string[] = [];
    const close = handle.close.bind(handle);
    handle.close = () => {
      closes.push('handle');
      return close();
    };
    const stream = createReadStream('', { fd: handle.fd, autoClose: false });
    stream.on('data', () => undefined);
    stream.once('close', () => closes.push('stream'));
    // The flow starts on the next tick, whose first read blocks in the thread pool.
    await new Promise((resolve) => setImmediate(resolve));
    closeAfter(stream, handle);
    expect(closes).toEqual([]);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    writeSync(writer, 'x');
    closeSync(writer);
    if (!stream.closed) await once(stream, 'close');
    await new Promise((resolve) => setImmediate(resolve));
    expect(closes).toEqual(['stream', 'handle']);
  });

  it('closes the handle at once when there is no stream, or it is closed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'pd-local-'));
    const handle = await open(join(dir, 'f'), 'w');
    closeAfter(undefined, handle);
    await expect.poll(() => handle.fd).toBe(-1);
  });
});
