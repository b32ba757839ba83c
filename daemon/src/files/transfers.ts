/**
 * Open uploads and downloads by id, waiting for the HTTP request that moves their bytes
 * (server/transfer-route.ts). An id is random (128 bits), serves one request, and is tied to
 * nothing else: any client the listener lets in may use it. One unused for too long, or
 * cancelled, releases what it holds. `ended(id)` tells when a transfer is over: closed unused, or its
 * request done (the route calls `finish`). A direct transfer has no request: it is over when closed.
 */
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { UploadResult } from '@pocketdock/protocol';
import { invalidParams } from '../errors.js';

/** An upload: takes the request body, answers what the PUT response carries. */
export interface Inbound {
  receive(body: Readable): Promise<object>;
}

/** A download: bytes read as the response is written; `close` releases the engine stream. */
export interface Outbound {
  readonly chunks: Readable;
  /** Length in bytes when known up front. */
  readonly size: number | undefined;
  close(): void;
}

/** A transfer the daemon runs itself, between the engine and a file on its host (local.ts). */
export interface Local {
  /** Moves the bytes, telling `progress` the count so far; `signal` stops it. */
  run(progress: (bytes: number) => void, signal: AbortSignal): Promise<UploadResult>;
  close(): void;
}

/**
 * A transfer whose caller moves the bytes with the engine itself (`direct`): it holds nothing but
 * the caller's slot, until the caller cancels it or it expires.
 */
export interface Direct {
  readonly direct: true;
}

export type Transfer = Inbound | Outbound | Local | Direct;

export const isInbound = (t: Transfer): t is Inbound => 'receive' in t;
export const isLocal = (t: Transfer): t is Local => 'run' in t;
export const isOutbound = (t: Transfer): t is Outbound => 'chunks' in t;
export const DIRECT: Direct = { direct: true };

/** How a transfer's one request is made, for a caller that made another. */
const use = (t: Transfer) =>
  isInbound(t)
    ? 'an upload: PUT its bytes'
    : isLocal(t)
      ? 'local: POST it'
      : isOutbound(t)
        ? 'a download: GET it'
        : 'direct: its caller moves the bytes with the engine, then ends it with file.cancel';

export const IDLE_TIMEOUT_MS = 60_000;

interface Entry {
  transfer: Transfer;
  timer: NodeJS.Timeout;
  end: () => void;
}

export class Transfers {
  private readonly open = new Map<string, Entry>();
  /** Claimed transfers whose request still moves bytes: how each tells it is over. */
  private readonly inUse = new Map<string, () => void>();
  private readonly ends = new Map<string, Promise<void>>();

  constructor(private readonly idleMs = IDLE_TIMEOUT_MS) {}

  get size(): number {
    return this.open.size;
  }

  add(prefix: 'up' | 'down', transfer: Transfer): string {
    const id = `${prefix}-${randomBytes(16).toString('hex')}`;
    const timer = setTimeout(() => this.close(id), this.idleMs).unref();
    let end!: () => void;
    this.ends.set(
      id,
      new Promise<void>((resolve) => {
        end = () => {
          this.ends.delete(id);
          resolve();
        };
      }),
    );
    this.open.set(id, { transfer, timer, end });
    return id;
  }

  /** Resolves once transfer `id` is over: cancelled, expired, or its one request done (at once for an unknown id). */
  ended(id: string): Promise<void> {
    return this.ends.get(id) ?? Promise.resolve();
  }

  /** Takes the open upload `id` for its one use: later claims of it fail. */
  claimUpload(id: string): Inbound {
    return this.claim(id, isInbound) as Inbound;
  }

  /** Takes the open download `id` for its one use: later claims of it fail. */
  claimDownload(id: string): Outbound {
    return this.claim(id, isOutbound) as Outbound;
  }

  /** Takes the open local transfer `id` for its one use: later claims of it fail. */
  claimLocal(id: string): Local {
    return this.claim(id, isLocal) as Local;
  }

  /** The request that claimed `id` is done with it. */
  finish(id: string): void {
    this.inUse.get(id)?.();
    this.inUse.delete(id);
  }

  /** Forgets an unused transfer and releases it; unknown ids are ignored. */
  close(id: string): void {
    const entry = this.open.get(id);
    if (!entry) return;
    this.take(id, entry);
    if (isOutbound(entry.transfer) || isLocal(entry.transfer)) entry.transfer.close();
    entry.end();
  }

  private claim(id: string, fits: (t: Transfer) => boolean): Transfer {
    const entry = this.open.get(id);
    if (!entry) throw invalidParams('transferId', `"${id}" is not an open transfer (unknown, already used, cancelled or expired)`);
    if (!fits(entry.transfer)) throw invalidParams('transferId', `"${id}" is ${use(entry.transfer)}`);
    this.take(id, entry);
    this.inUse.set(id, entry.end);
    return entry.transfer;
  }

  private take(id: string, entry: { timer: NodeJS.Timeout }): void {
    this.open.delete(id);
    clearTimeout(entry.timer);
  }
}
