/**
 * The labels of containers handed out by the warm pool. An engine cannot change a container's
 * labels, so the ones a cold create would have written (name, created-at, timeout, limits, profile)
 * are kept here, in the state dir, and laid over the engine's wherever labels are read: list and
 * info are then exactly as for a cold create, after a daemon restart too.
 */
import type { Engine } from '../engine/index.js';
import type { Logger } from '../log.js';
import { StateFile } from '../state-file.js';
import { LABEL } from './labels.js';

export const CLAIMS_FILE = 'pool-claims.json';

interface Claim {
  key: string;
  labels: Record<string, string>;
}

const POOL_LABELS: readonly string[] = [LABEL.pool, LABEL.poolOwner, LABEL.poolKey];

const isClaim = (v: unknown): v is Claim =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Claim).key === 'string' &&
  typeof (v as Claim).labels === 'object' &&
  (v as Claim).labels !== null &&
  Object.values((v as Claim).labels).every((l) => typeof l === 'string');

/** Claims are per engine, as container ids are. */
const keyOf = (engine: Engine, id: string): string => `${engine.socketPath}\n${id}`;

export interface ClaimEntry {
  socketPath: string;
  containerId: string;
  labels: Record<string, string>;
}

export class Claims {
  private readonly claims = new Map<string, Record<string, string>>();
  private store: StateFile<Claim> | undefined;

  constructor(private readonly log: Logger) {}

  /** Takes over the claims a previous daemon wrote; from now on every change is written there. */
  restore(stateDir: string): void {
    this.store = StateFile.inStateDir(stateDir, CLAIMS_FILE, () => [...this.claims].map(([key, labels]) => ({ key, labels })), isClaim);
    for (const c of this.store.load()) this.claims.set(c.key, c.labels);
  }

  /** `labels` are from now on the truth about the pool container `id` (durable once this resolves). */
  async set(engine: Engine, id: string, labels: Record<string, string>): Promise<void> {
    this.claims.set(keyOf(engine, id), labels);
    await this.store?.saveOrLog(this.log);
  }

  /** The container is gone: its claim with it. */
  delete(engine: Engine, id: string): void {
    if (this.claims.delete(keyOf(engine, id))) void this.store?.saveOrLog(this.log);
  }

  /** Every claim (a daemon starting checks them against the engines). */
  entries(): ClaimEntry[] {
    return [...this.claims].map(([key, labels]) => {
      const at = key.lastIndexOf('\n');
      return { socketPath: key.slice(0, at), containerId: key.slice(at + 1), labels };
    });
  }

  /** The container `ref` (its id or its claimed name) was found gone from `engine`: its claim goes. */
  deleteGone(engine: Engine, ref: string): void {
    const gone = this.entries().find(
      (c) => c.socketPath === engine.socketPath && (c.containerId === ref || c.labels[LABEL.instance] === ref),
    );
    if (gone) this.delete(engine, gone.containerId);
  }

  /** `present`: the ids of every managed container on `engine` now; the claims of the others go. */
  retain(engine: Engine, present: ReadonlySet<string>): void {
    for (const c of this.entries())
      if (c.socketPath === engine.socketPath && !present.has(c.containerId)) this.delete(engine, c.containerId);
  }

  /** A container's labels as they are true: the engine's, with a claim laid over them and the pool's own dropped. */
  labels(engine: Engine, id: string, labels: Record<string, string> | null | undefined): Record<string, string> {
    const claim = this.claims.get(keyOf(engine, id));
    if (!claim) return labels ?? {};
    const merged = { ...labels, ...claim };
    for (const l of POOL_LABELS) delete merged[l];
    return merged;
  }
}
