/**
 * One image archive upload: chunks arrive in order (the file transfers' Sequencer) and stream into
 * the engine's `docker load`. Each chunk is answered once the engine has taken it, so the daemon
 * holds at most a window of chunks whatever the archive's size.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Engine } from '../engine/index.js';
import { loadImages } from '../engine/images.js';
import { Sequencer } from '../files/sequencer.js';
import type { Transfer } from '../files/transfers.js';

export class ImageLoad implements Transfer {
  private readonly sequencer = new Sequencer();
  private readonly input = new PassThrough();
  private readonly aborted = new AbortController();
  private readonly loaded: Promise<string[]>;
  private failure: Error | undefined;
  private bytes = 0;

  constructor(readonly engine: Engine) {
    this.loaded = loadImages(engine.docker, this.input, engine.socketPath);
    this.loaded.catch((err: Error) => this.fail(err)); // surfaced by chunk() and end()
  }

  chunk(seq: number, data: Buffer): Promise<number> {
    return this.sequencer.run(seq, async () => {
      if (this.failure) throw this.failure;
      this.bytes += data.length;
      if (!this.input.write(data)) {
        try {
          await once(this.input, 'drain', { signal: this.aborted.signal });
        } catch (err) {
          throw this.failure ?? err;
        }
      }
      return this.bytes;
    });
  }

  /** Ends the archive; resolves to what the engine loaded. */
  async end(): Promise<string[]> {
    if (this.failure) throw this.failure;
    this.input.end();
    return this.loaded;
  }

  close(reason: Error): void {
    this.fail(reason);
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    this.aborted.abort(err);
    this.sequencer.fail(err);
    this.input.destroy(err);
  }
}
