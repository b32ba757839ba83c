/**
 * Talking to one running agent over any byte transport: `write` sends to its stdin, `push` takes
 * what came from its stdout. Commands are addressed by ids this side chooses.
 */
import { FrameDecoder, frame, parseList, spawnPayload, u32, u64, type Living, type SpawnSpec } from './codec.js';
import { Ev, Op, SIGNAL_MAIN } from './codes.js';

export type OutputSink = (stream: 'stdout' | 'stderr', data: Buffer) => void;

/** Output held per command of an earlier daemon between the agent's list and adopt(): beyond, it is dropped (and counted). */
const HELD_BYTES = 256 * 1024;

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(err: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void, reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => undefined); // a command nobody awaits must not fail the process
  return { promise, resolve, reject };
}

export class AgentCommand {
  /** The command's exit code (128+N for signal N, -1 unknown), once all its output has been delivered. */
  readonly exited: Promise<number>;
  /** Resolves once nothing of the command's tree is left. */
  readonly gone: Promise<void>;
  /** Output bytes that came before anyone claimed the command and did not fit in HELD_BYTES. */
  dropped = 0;
  private readonly exit = deferred<number>();
  private readonly end = deferred<void>();
  private readonly acks: Deferred<number>[] = [];
  private held: Array<[stream: 'stdout' | 'stderr', data: Buffer]> = [];
  private heldBytes = 0;

  /** Without a sink (a command of an earlier daemon), output is held until claim() gives one. */
  constructor(readonly id: number, private readonly client: AgentClient, private sink?: OutputSink) {
    this.exited = this.exit.promise;
    this.gone = this.end.promise;
  }

  /** @internal */
  output(stream: 'stdout' | 'stderr', data: Buffer): void {
    if (this.sink) this.sink(stream, data);
    else if (this.heldBytes + data.length > HELD_BYTES) this.dropped += data.length;
    else {
      this.held.push([stream, Buffer.from(data)]);
      this.heldBytes += data.length;
    }
  }

  /** @internal */
  claim(sink: OutputSink): void {
    this.sink = sink;
    for (const [stream, data] of this.held) sink(stream, data);
    this.held = [];
  }

  /** Signals every process of the command's tree; SIGKILL goes on until none is left. Resolves with how many were signalled. */
  signal(sig: number): Promise<number> {
    return this.ask(Op.signal, u32(sig));
  }

  /** Signals the command's own process only (a session's shell). */
  signalMain(sig: number): Promise<number> {
    return this.ask(Op.signal, Buffer.concat([u32(sig), u32(SIGNAL_MAIN)]));
  }

  /** Marks the start of a session command: unmarked processes started from now on belong to `marker`. */
  note(marker: string): void {
    this.client.send(Op.note, this.id, Buffer.from(marker));
  }

  /** Signals the processes of a session command (see frame.h's OP_MARKED). */
  signalMarked(sig: number, marker: string): Promise<number> {
    return this.ask(Op.marked, Buffer.concat([u32(sig), Buffer.from(marker)]));
  }

  write(data: Buffer): void {
    this.client.send(Op.stdin, this.id, data);
  }

  closeStdin(): void {
    this.client.send(Op.close, this.id);
  }

  /**
   * Lets the command send output up to `limit` bytes in all, both streams (Infinity: no limit).
   * Past it the agent stops reading its pipes and the command blocks: backpressure for this command alone.
   */
  allow(limit: number): void {
    this.client.send(Op.flow, this.id, u64(limit));
  }

  private ask(op: string, payload: Buffer): Promise<number> {
    const ack = deferred<number>();
    this.acks.push(ack);
    this.client.send(op, this.id, payload);
    return ack.promise;
  }

  /** @internal */
  receive(type: string, payload: Buffer): boolean {
    switch (type) {
      case Ev.exit: this.exit.resolve(payload.readInt32LE(0)); return false;
      case Ev.ack: this.acks.shift()?.resolve(payload.readUInt32LE(0)); return false;
      case Ev.gone: this.end.resolve(); this.fail(new Error('the command has ended')); return true;
      case Ev.fail: this.fail(new Error(payload.toString('utf8'))); return true;
      default: return false;
    }
  }

  /** @internal */
  fail(err: Error): void {
    this.exit.reject(err);
    this.end.reject(err);
    for (const ack of this.acks.splice(0)) ack.reject(err);
  }
}

export class AgentClient {
  /** The agent's version line, once it has started. */
  readonly ready: Promise<string>;
  /**
   * What the agent ran when this client reached it: commands of an earlier daemon, when the agent
   * outlived it and was handed this one (adopt() takes them over); none from a new agent.
   */
  readonly living: Promise<Living[]>;
  /** Resolves with the reason once the transport has ended. */
  readonly closed: Promise<Error>;
  private readonly started = deferred<string>();
  private readonly listed = deferred<Living[]>();
  private readonly end = deferred<Error>();
  private readonly commands = new Map<number, AgentCommand>();
  /** Commands of an earlier daemon (EV_LIST) that nobody adopted yet: they hold their output, exit and end. */
  private readonly unclaimed = new Map<number, AgentCommand>();
  private readonly decoder: FrameDecoder;
  private nextId = 1;
  private ended: Error | undefined;

  constructor(private readonly write: (data: Buffer) => void) {
    this.ready = this.started.promise;
    this.living = this.listed.promise;
    this.closed = this.end.promise;
    this.decoder = new FrameDecoder({
      output: (id, stream, data) => this.commands.get(id)?.output(stream, data),
      control: (type, id, payload) => {
        if (type === Ev.ready) { this.started.resolve(payload.toString('utf8')); return; }
        if (type === Ev.list) { this.list(payload); return; }
        const cmd = this.commands.get(id);
        if (cmd?.receive(type, payload)) this.commands.delete(id);
      },
    });
  }

  get running(): number {
    return this.commands.size;
  }

  get alive(): boolean {
    return this.ended === undefined;
  }

  spawn(spec: SpawnSpec, sink: OutputSink): AgentCommand {
    if (this.ended) throw this.ended;
    const id = this.nextId++;
    const cmd = new AgentCommand(id, this, sink);
    this.commands.set(id, cmd);
    this.send(Op.spawn, id, spawnPayload(spec));
    return cmd;
  }

  /**
   * A command the agent ran before this client reached it (`living`): its output since the agent
   * listed it goes to `sink` (what did not fit while it waited to be adopted is counted in `dropped`),
   * its exit and end as they came, even before this call.
   */
  adopt(living: Living, sink: OutputSink): AgentCommand {
    const cmd = this.unclaimed.get(living.id);
    if (!cmd) throw new Error(`the agent listed no command ${living.id}, or it was adopted already`);
    this.unclaimed.delete(living.id);
    cmd.claim(sink);
    return cmd;
  }

  private list(payload: Buffer): void {
    try {
      const living = parseList(payload);
      for (const l of living) {
        // New commands take ids the earlier daemon's never had.
        this.nextId = Math.max(this.nextId, l.id + 1);
        const cmd = new AgentCommand(l.id, this);
        this.unclaimed.set(l.id, cmd);
        if (l.exitCode !== undefined) cmd.receive(Ev.exit, u32(l.exitCode));
        if (l.gone) cmd.receive(Ev.gone, Buffer.alloc(0));
        else this.commands.set(l.id, cmd);
      }
      this.listed.resolve(living);
    } catch (err) {
      this.close(err as Error);
    }
  }

  /** Bytes from the agent's stdout. */
  push(chunk: Buffer): void {
    try {
      this.decoder.push(chunk);
    } catch (err) {
      this.close(err as Error);
    }
  }

  /** The transport has ended: every command still known fails with `reason`. */
  close(reason: Error): void {
    if (this.ended) return;
    this.ended = reason;
    this.end.resolve(reason);
    this.started.reject(reason);
    this.listed.reject(reason);
    for (const cmd of this.commands.values()) cmd.fail(reason);
    this.commands.clear();
  }

  /** @internal */
  send(op: string, id: number, payload?: Buffer): void {
    if (!this.ended) this.write(frame(op, id, payload));
  }
}
