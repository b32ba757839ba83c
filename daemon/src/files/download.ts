/**
 * One download out of a container: each chunk call reads the next FILE_CHUNK_BYTES from the
 * engine stream, which is paused in between, so the daemon holds at most a window of chunks.
 * Once the source is exhausted, later chunk calls answer empty and done.
 */
import { FILE_CHUNK_BYTES } from '@pocketdock/protocol';
import { Sequencer } from './sequencer.js';
import type { ByteSource } from './source.js';
import type { Transfer } from './transfers.js';

export class Download implements Transfer {
  private readonly sequencer = new Sequencer();
  private readonly iterator: AsyncIterator<Buffer>;
  private leftover: Buffer | undefined;
  private exhausted = false;

  constructor(private readonly source: ByteSource) {
    this.iterator = source.chunks[Symbol.asyncIterator]();
  }

  get size(): number | undefined {
    return this.source.size;
  }

  chunk(seq: number): Promise<{ data: Buffer; done: boolean }> {
    return this.sequencer.run(seq, async () => {
      const parts: Buffer[] = [];
      let length = 0;
      while (length < FILE_CHUNK_BYTES && !this.exhausted) {
        let buf = this.leftover;
        this.leftover = undefined;
        if (!buf) {
          const next = await this.iterator.next();
          if (next.done) {
            this.exhausted = true;
            this.source.close();
            break;
          }
          buf = next.value;
        }
        const room = FILE_CHUNK_BYTES - length;
        if (buf.length > room) {
          this.leftover = buf.subarray(room);
          buf = buf.subarray(0, room);
        }
        parts.push(buf);
        length += buf.length;
      }
      return { data: Buffer.concat(parts, length), done: this.exhausted };
    });
  }

  close(reason: Error): void {
    this.sequencer.fail(reason);
    this.source.close();
  }
}
