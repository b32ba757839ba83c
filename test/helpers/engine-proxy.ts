/**
 * A Unix-socket proxy in front of the shared engine, so a test can make "the engine" go away or
 * hang under a running daemon without touching the engine everyone uses — or, with another
 * `target`, in front of a daemon, so a test can cut a client's connection to it.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { expect } from 'vitest';
import type { Container } from '../../client/src/index.js';
import { DOCKER_SOCKET } from './engines.js';

/** What a request's first chunk says of it (method, path, headers), for matching. */
const requestHead = (chunk: Buffer) => chunk.subarray(0, 256).toString('latin1');

export class EngineProxy {
  private server: Server | undefined;
  private readonly open = new Set<Socket>();
  private readonly pairs = new Set<[Socket, Socket]>();
  private hanging = false;
  private holdPast: number | undefined;
  private late: { head: RegExp; ms: number } | undefined;
  private holding: { head: RegExp; waiting: Array<() => void>; seen: () => void } | undefined;
  /** Connections whose late answer has come and that the daemon has not closed yet. */
  readonly answeredLate = new Set<Socket>();
  /** Late answers that came, in all. */
  lateAnswers = 0;
  /** Bytes that went through, both ways. */
  carried = 0;

  constructor(
    readonly path: string,
    private readonly target: string = DOCKER_SOCKET,
  ) {}

  async up(): Promise<void> {
    this.hanging = false;
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server!.listen(this.path, resolve));
  }

  /** The engine is gone: no new connections (the socket file goes), open ones are cut. */
  async cut(): Promise<void> {
    const closed = new Promise((resolve) => this.server!.close(resolve));
    for (const s of this.open) s.destroy();
    await closed;
  }

  /** Cuts every open connection; new ones go through. */
  drop(): void {
    for (const s of this.open) s.destroy();
  }

  /** The engine hangs: connections are accepted, requests never answered (open ones stop being forwarded). */
  hang(): void {
    this.hanging = true;
    for (const [client, engine] of this.pairs) {
      client.unpipe(engine);
      engine.unpipe(client);
    }
  }

  /**
   * Connections from now on hang once one of their two directions has carried `bytes`: a transfer
   * between the daemon and the engine stops midway, and stays there, while small calls still pass.
   */
  holdAfter(bytes: number): void {
    this.holdPast = bytes;
  }

  /**
   * The next request whose first bytes match `head` is answered `ms` late, and its connection is then
   * left open as a long command's stream would be: whether it closes is the daemon's doing.
   */
  answerLate(head: RegExp, ms: number): void {
    this.late = { head, ms };
  }

  /**
   * Requests whose first bytes match `head` are kept from the engine, unsent, until release(): the
   * daemon's call is in flight and the engine has done nothing of it. Resolves once one is kept.
   */
  holdRequests(head: RegExp): Promise<void> {
    return new Promise((seen) => (this.holding = { head, waiting: [], seen }));
  }

  /** Sends what holdRequests kept, and holds no more. */
  release(): void {
    const held = this.holding;
    this.holding = undefined;
    for (const send of held?.waiting ?? []) send();
  }

  /** The engine answers again: what hung is dropped (its callers were answered already), new connections go through. */
  resume(): void {
    this.hanging = false;
    this.holdPast = undefined;
    this.late = undefined;
    for (const s of this.open) s.destroy();
  }

  private accept(client: Socket): void {
    this.track(client);
    client.on('error', () => client.destroy());
    if (this.hanging) return;
    const engine = createConnection(this.target);
    this.track(engine);
    const pair: [Socket, Socket] = [client, engine];
    this.pairs.add(pair);
    engine.once('close', () => this.pairs.delete(pair));
    for (const s of pair)
      s.on('error', () => {
        client.destroy();
        engine.destroy();
      });
    for (const s of pair) s.on('data', (b: Buffer) => (this.carried += b.length));
    const limit = this.holdPast;
    if (limit === undefined) {
      engine.pipe(client);
      client.on('data', (chunk: Buffer) => this.upward(client, engine, chunk));
      return;
    }
    // Forwarded by hand up to the limit, then nothing more either way: this connection hangs, others go on.
    let carried = { up: 0, down: 0 };
    const forward = (way: 'up' | 'down', to: Socket) => (chunk: Buffer) => {
      const rest = limit - Math.max(carried.up, carried.down);
      if (rest <= 0) return;
      carried = { ...carried, [way]: carried[way] + chunk.length };
      to.write(chunk.length > rest ? chunk.subarray(0, rest) : chunk);
    };
    client.on('data', forward('up', engine));
    engine.on('data', forward('down', client));
  }

  /** A chunk from the daemon to the engine: forwarded with backpressure, unless holdRequests keeps its request. */
  private upward(client: Socket, engine: Socket, chunk: Buffer): void {
    const held = this.holding;
    if (held?.head.test(requestHead(chunk))) {
      client.pause(); // what follows on this connection waits behind it
      held.waiting.push(() => {
        this.upward(client, engine, chunk);
        client.resume();
      });
      held.seen();
      return;
    }
    this.maybeLate(client, engine, chunk);
    if (!engine.write(chunk)) {
      client.pause();
      engine.once('drain', () => client.resume());
    }
  }

  /** Once a request on this connection matches answerLate's head: the engine's bytes from then on come late, its end never. */
  private maybeLate(client: Socket, engine: Socket, chunk: Buffer): void {
    const late = this.late;
    if (!late || !late.head.test(requestHead(chunk))) return;
    this.late = undefined; // one request
    engine.unpipe(client);
    client.once('close', () => this.answeredLate.delete(client));
    engine.on('data', (answer: Buffer) =>
      setTimeout(() => {
        if (client.destroyed) return;
        client.write(answer);
        if (this.answeredLate.has(client)) return;
        this.answeredLate.add(client);
        this.lateAnswers++;
      }, late.ms),
    );
    engine.resume(); // unpipe paused it
  }

  private track(s: Socket): void {
    this.open.add(s);
    s.once('close', () => this.open.delete(s));
  }
}

/**
 * Resolves once `c` runs `echo word` again, after the engine behind it came back: the first runs
 * may still fail or time out on a busy machine, so it is asked again until `timeoutMs`.
 */
export async function runsAgain(c: Container, word: string, timeoutMs: number): Promise<void> {
  await expect
    .poll(
      () =>
        c.run(`echo ${word}`).then(
          (r) => r.stdout,
          (err: Error) => err.message,
        ),
      { timeout: timeoutMs, interval: 100 },
    )
    .toBe(`${word}\n`);
}
