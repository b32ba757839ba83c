/**
 * What a run keeps of its output: `OutputLimit` cuts each stream at exactly `max` bytes (every way
 * of running a command goes through it); `OutputCollector` gathers what passed for a blocking run,
 * taking what it keeps from a budget when it has one (once the budget refuses, it keeps nothing more).
 */
import type { DemuxSink, StreamId } from '../engine/index.js';
import type { BufferBudget } from './budget.js';

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
  private kept = 0;
  /** The budget refused a part: what follows it is not kept either, so no stream has a hole. */
  private full = false;

  constructor(
    max: number,
    private readonly budget?: BufferBudget,
  ) {
    this.limit = new OutputLimit(max);
  }

  get truncated(): boolean {
    return this.limit.truncated || this.full;
  }

  /** Like OutputLimit.cut, keeping the part too. */
  cut(stream: StreamId, data: Buffer): Buffer {
    const part = this.limit.cut(stream, data);
    if (!part.length || this.full) return part;
    if (this.budget && !this.budget.take(part.length)) this.full = true;
    else {
      this.kept += part.length;
      this.parts[stream].push(Buffer.from(part));
    }
    return part;
  }

  /** Gives what it kept back to the budget; it keeps nothing after. */
  release(): void {
    this.budget?.give(this.kept);
    this.kept = 0;
    this.full = true;
    this.parts.stdout = [];
    this.parts.stderr = [];
  }

  readonly sink: DemuxSink = (stream, data) => {
    this.cut(stream, data);
  };

  text(stream: StreamId): string {
    return Buffer.concat(this.parts[stream]).toString('utf8');
  }
}
