/**
 * One JSON file in the state dir that a daemon killed with -9 finds again when it starts (leases,
 * detached execs). Writes are whole-file replacements (write, then rename) and coalesced: many
 * changes at once cost one write, and save() resolves only once a write that includes the caller's
 * change is on disk, so a call can be answered after what it changed is durable.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from './log.js';

export class StateFile<T> {
  private writing: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  /** `snapshot`: what to write; `valid`: what of a read file to keep. */
  constructor(
    readonly path: string,
    private readonly snapshot: () => T[],
    private readonly valid: (v: unknown) => v is T,
  ) {}

  static inStateDir<T>(stateDir: string, name: string, snapshot: () => T[], valid: (v: unknown) => v is T): StateFile<T> {
    return new StateFile(join(stateDir, name), snapshot, valid);
  }

  /** What the last daemon wrote; nothing when there is no file or it cannot be read. */
  load(): T[] {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as { items?: unknown };
      return Array.isArray(parsed.items) ? parsed.items.filter(this.valid) : [];
    } catch {
      return [];
    }
  }

  /** Resolves once a write that started after this call has finished. */
  save(): Promise<void> {
    if (!this.writing) {
      this.writing = this.write().finally(() => {
        this.writing = undefined;
      });
      return this.writing;
    }
    // A write is under way with an older snapshot: one more follows it, for every caller meanwhile.
    this.next ??= this.writing
      .catch(() => undefined)
      .then(() => {
        this.next = undefined;
        return this.save();
      });
    return this.next;
  }

  /** save(), with a failure logged instead of thrown: the daemon goes on, only a restart would miss it. */
  async saveOrLog(log: Logger): Promise<void> {
    try {
      await this.save();
    } catch (err) {
      log.error({ err, path: this.path }, 'cannot write to the state dir');
    }
  }

  // Synchronous: a few KB written to the page cache take microseconds, where each of the thread
  // pool's hops took milliseconds on a busy machine, and a pool hit waits for its claim's write.
  private async write(): Promise<void> {
    const tmp = `${this.path}.tmp`;
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    // Resume tokens are credentials: the files are for the daemon's user only.
    writeFileSync(tmp, JSON.stringify({ items: this.snapshot() }), { mode: 0o600 });
    renameSync(tmp, this.path);
  }
}

/** A guard for records whose listed fields are all strings. */
export const hasStrings =
  <T>(...fields: (keyof T & string)[]) =>
  (v: unknown): v is T =>
    typeof v === 'object' && v !== null && fields.every((f) => typeof (v as Record<string, unknown>)[f] === 'string');
