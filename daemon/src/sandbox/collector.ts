/** Keeps the first `max` bytes of each stream of a blocking run and notes whether more came. */
import type { StreamId } from '../engine/index.js';

export const DEFAULT_MAX_OUTPUT = 10 * 1024 * 1024;

export class OutputCollector {
  private readonly parts: Record<StreamId, Buffer[]> = { stdout: [], stderr: [] };
  private readonly kept: Record<StreamId, number> = { stdout: 0, stderr: 0 };
  truncated = false;

  constructor(private readonly max: number) {}

  readonly sink = (stream: StreamId, data: Buffer): void => {
    const room = this.max - this.kept[stream];
    if (data.length > room) this.truncated = true;
    if (room <= 0) return;
    const part = data.length > room ? data.subarray(0, room) : data;
    this.parts[stream].push(Buffer.from(part));
    this.kept[stream] += part.length;
  };

  text(stream: StreamId): string {
    return Buffer.concat(this.parts[stream]).toString('utf8');
  }
}
