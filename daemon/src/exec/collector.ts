/**
 * What a run keeps of its output: `OutputLimit` cuts each stream at exactly `max` bytes (every way
 * of running a command goes through it); `OutputCollector` gathers what passed for a blocking run.
 */
import type { DemuxSink, StreamId } from '../engine/index.js';

export class OutputLimit {
  private readonly kept: Record<StreamId, number> = { stdout: 0, stderr: 0 };
  truncated = false;

  constructor(private readonly max: number) {}

  /** The part of `data` that still fits in the stream's allowance (possibly empty). */
  cut(stream: StreamId, data: Buffer): Buffer {
    const room = this.max - this.kept[stream];
    if (data.length > room) this.truncated = true;
    if (room <= 0) return data.subarray(0, 0);
    const part = data.length > room ? data.subarray(0, room) : data;
    this.kept[stream] += part.length;
    return part;
  }
}

export class OutputCollector {
  private readonly parts: Record<StreamId, Buffer[]> = { stdout: [], stderr: [] };
  private readonly limit: OutputLimit;

  constructor(max: number) {
    this.limit = new OutputLimit(max);
  }

  get truncated(): boolean {
    return this.limit.truncated;
  }

  /** Like OutputLimit.cut, keeping the part too. */
  cut(stream: StreamId, data: Buffer): Buffer {
    const part = this.limit.cut(stream, data);
    if (part.length) this.parts[stream].push(Buffer.from(part));
    return part;
  }

  readonly sink: DemuxSink = (stream, data) => {
    this.cut(stream, data);
  };

  text(stream: StreamId): string {
    return Buffer.concat(this.parts[stream]).toString('utf8');
  }
}
