/**
 * The leases on disk, `<stateDir>/leases.json`: what a daemon killed with -9 finds again when it
 * starts. Writes are whole-file replacements (write, then rename) and coalesced: many changes at
 * once cost one write, and save() resolves only once a write that includes the caller's change
 * is on disk, so a create is answered after its lease is durable.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export interface StoredLease {
  containerId: string;
  socketPath: string;
  name: string;
  /** The holder's resume token. */
  token: string;
  /** The holder's client name. */
  client: string;
}

export const LEASES_FILE = 'leases.json';

export class LeaseStore {
  private writing: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(readonly path: string, private readonly snapshot: () => StoredLease[]) {}

  static inStateDir(stateDir: string, snapshot: () => StoredLease[]): LeaseStore {
    return new LeaseStore(join(stateDir, LEASES_FILE), snapshot);
  }

  /** What the last daemon wrote; nothing when there is no file or it cannot be read. */
  load(): StoredLease[] {
    try {
      const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as { leases?: unknown };
      return Array.isArray(parsed.leases) ? parsed.leases.filter(isStoredLease) : [];
    } catch {
      return [];
    }
  }

  /** Resolves once a write that started after this call has finished. */
  save(): Promise<void> {
    if (!this.writing) {
      this.writing = this.write().finally(() => { this.writing = undefined; });
      return this.writing;
    }
    // A write is under way with an older snapshot: one more follows it, for every caller meanwhile.
    this.next ??= this.writing.catch(() => undefined).then(() => {
      this.next = undefined;
      return this.save();
    });
    return this.next;
  }

  private async write(): Promise<void> {
    const tmp = `${this.path}.tmp`;
    await mkdir(dirname(this.path), { recursive: true, mode: 0o700 });
    // Resume tokens are credentials: the file is for the daemon's user only.
    await writeFile(tmp, JSON.stringify({ leases: this.snapshot() }), { mode: 0o600 });
    await rename(tmp, this.path);
  }
}

function isStoredLease(v: unknown): v is StoredLease {
  const l = v as Partial<StoredLease> | null;
  return typeof l === 'object' && l !== null && [l.containerId, l.socketPath, l.name, l.token, l.client].every((f) => typeof f === 'string');
}
