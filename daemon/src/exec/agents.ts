/**
 * The in-container agent of each container (packages/agent), started on first use: its binary is
 * copied in through the archive API and started with one engine exec, as the container's user.
 * From then on the container's commands are forks of the agent — a round trip of two frames on an
 * open stream instead of an engine exec's create/start/inspect. When it dies (killed from inside,
 * container restarted) the next command starts it again, from the copy already there.
 *
 * Only this daemon's own build is used: the binary must carry the version line of the sources the
 * daemon ships (agentVersion), and a started agent must say it; one that says another (a copy
 * replaced inside the container) is stopped and copied over.
 *
 * Where it cannot run — no build for the engine's architecture, no writable place, an exec that
 * fails — commands go through engine execs, and `via()` says why (container.info).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { AgentClient, Ev, agentBinary, agentVersion } from '@pocketdock/agent';
import { tar } from '../cjs.js';
import { Demuxer, type Engine } from '../engine/index.js';
import { engineAway } from '../errors.js';
import type { Logger } from '../log.js';
import type { Doors } from './doors.js';
import { settlesWithin } from './settle.js';

/** Where the binary goes, root-owned (the sandbox's user cannot replace it): the first of these it runs from. */
const PLACES = ['/tmp', '/dev/shm'];
/** How long a starting agent may take to say it is ready (an engine exec on a busy machine can take seconds). */
const READY_MS = 15_000;
/** How long after its door closed the agent's exec may take to end too, before its commands are failed anyway. */
const EXEC_END_MS = 5_000;
/** Containers whose reason for running without the agent is remembered (the oldest is forgotten first). */
const REMEMBERED = 1000;
/** Most bytes of the agent's own stderr, or of what the engine said instead of starting it, kept for a reason. */
const STDERR_KEPT = 2048;

export interface ExecVia {
  execVia: 'agent' | 'engine';
  /** Why commands go through the engine's exec; "" through the agent. */
  execNote: string;
}

type State = { client: AgentClient } | { reason: string };

interface Binary {
  name: string;
  tar: Buffer;
}

export class Agents {
  private readonly states = new Map<string, Promise<State>>();
  private readonly binaries = new Map<string, Promise<Binary>>();
  /** By container: where its agent's binary was copied, to start it again without copying. */
  private readonly placed = new Map<string, string>();
  private readonly streams = new Set<NodeJS.ReadWriteStream & { destroy(): void }>();

  constructor(
    private readonly enabled: boolean,
    private readonly log: Logger,
    private readonly doors?: Doors,
  ) {}

  /** The container's running agent, started if need be; undefined when its commands go through engine execs. */
  async get(engine: Engine, containerId: string): Promise<AgentClient | undefined> {
    const state = await this.state(engine, containerId);
    return 'client' in state ? state.client : undefined;
  }

  async via(engine: Engine, containerId: string): Promise<ExecVia> {
    const state = await this.state(engine, containerId);
    return 'client' in state ? { execVia: 'agent', execNote: '' } : { execVia: 'engine', execNote: state.reason };
  }

  /** Forgets the container's agent (the container stopped): its next command starts one again. */
  forget(containerId: string): void {
    for (const key of this.states.keys()) if (key.endsWith(`\n${containerId}`)) this.states.delete(key);
  }

  /** The container was removed: where its agent was copied is forgotten too. */
  removed(containerId: string): void {
    this.forget(containerId);
    this.doors?.removed(containerId);
    for (const key of this.placed.keys()) if (key.endsWith(`\n${containerId}`)) this.placed.delete(key);
  }

  /** Ends every agent's stream (daemon shutdown): running agents finish their commands and exit. */
  closeAll(): void {
    for (const s of this.streams) s.destroy();
  }

  private async state(engine: Engine, containerId: string): Promise<State> {
    if (!this.enabled) return { reason: 'the daemon runs without agents (--no-agent)' };
    const key = `${engine.socketPath}\n${containerId}`;
    const known = this.states.get(key);
    if (known) {
      const state = await known;
      if (!('client' in state) || state.client.alive) return state;
      if (this.states.get(key) === known) this.states.delete(key);
      return this.state(engine, containerId);
    }
    const starting = this.start(engine, containerId, key).then(
      (client): State => ({ client }),
      (err: unknown): State => {
        // An engine that cannot be reached says nothing about the container: the next command tries again.
        if (engineAway(err)) {
          if (this.states.get(key) === starting) this.states.delete(key);
          throw err;
        }
        const reason = (err as Error).message;
        this.log.info({ containerId, reason }, 'commands go through engine execs: the agent cannot run');
        return { reason };
      },
    );
    this.states.set(key, starting);
    if (this.states.size > REMEMBERED) this.states.delete(this.states.keys().next().value!);
    return starting;
  }

  /**
   * Starts the agent: in a container where it ran before, the copy already there, else (or when
   * that copy does not answer as this daemon's build) a fresh copy in the first place it runs from.
   */
  private async start(engine: Engine, containerId: string, key: string): Promise<AgentClient> {
    const binary = await this.binary(await engine.arch());
    const known = this.placed.get(key);
    if (known) {
      const client = await this.launch(engine, containerId, known).catch((err: Error) => {
        if (engineAway(err)) throw err;
        this.log.warn({ containerId, path: known, reason: err.message }, 'the agent copied in before did not start: copying it again');
      });
      if (client) return client;
    }
    const failures: string[] = [];
    for (const dir of PLACES) {
      const path = `${dir}/${binary.name}`;
      try {
        await engine.putArchive(containerId, dir, Readable.from([binary.tar]));
        const client = await this.launch(engine, containerId, path);
        this.placed.set(key, path);
        if (this.placed.size > REMEMBERED) this.placed.delete(this.placed.keys().next().value!);
        return client;
      } catch (err) {
        if (engineAway(err)) throw err;
        failures.push(`${dir}: ${(err as Error).message}`);
      }
    }
    throw new Error(`no place in the container where the agent runs (${failures.join('; ')})`);
  }

  /**
   * Runs the binary at `path` with one engine exec; only an agent that says this daemon's version is
   * used. It talks through the sandbox's door when it has one (doors.ts), else over the exec's stream.
   */
  private async launch(engine: Engine, containerId: string, path: string): Promise<AgentClient> {
    const door = this.doors && (await this.doors.open(await engine.inspectContainer(containerId)));
    try {
      return await this.talk(engine, containerId, path, door?.args ?? [], door?.onOpen);
    } finally {
      door?.close();
    }
  }

  private async talk(
    engine: Engine,
    containerId: string,
    path: string,
    args: string[],
    onDoorOpen?: (fn: (socket: Socket, rest: Buffer) => void) => void,
  ): Promise<AgentClient> {
    const { stream } = await engine.exec(containerId, { cmd: [path, ...args], stdin: true });
    this.streams.add(stream as never);
    let sink: { write(data: Buffer): unknown } = stream;
    let door: Socket | undefined;
    const client = new AgentClient((data) => sink.write(data));
    let stderr = '';
    // What came before the agent's first frame: an engine that could not start it says why there.
    let early: Buffer | undefined = Buffer.alloc(0);
    void client.ready.then(
      () => (early = undefined),
      () => undefined,
    );
    const demux = new Demuxer((s, data) => {
      if (s === 'stdout') {
        if (early) early = Buffer.concat([early, data]).subarray(0, STDERR_KEPT);
        client.push(data);
        return;
      }
      stderr = (stderr + data.toString('utf8')).slice(-STDERR_KEPT);
      this.log.warn({ containerId, stderr: data.toString('utf8') }, 'agent says');
    });
    stream.on('data', (chunk: Buffer) => demux.push(chunk));
    let over = false;
    let doorEnded: NodeJS.Timeout | undefined;
    const ended = (err?: Error) => {
      if (over) return;
      over = true;
      clearTimeout(doorEnded);
      this.streams.delete(stream as never);
      if (door) this.streams.delete(door as never);
      door?.destroy();
      client.close(new Error(`the agent ended${err ? ` (${err.message})` : ''}${stderr ? `: ${stderr.trim()}` : ''}`));
    };
    stream.once('end', () => ended());
    stream.once('close', () => ended());
    stream.once('error', ended);
    // The agent's exec ends with it, once the engine has seen it go: whether its container stopped
    // or went shows then (fault.ts), where the door's end can come before the engine acted at all.
    // The exec's end clears the timer, and none is armed after it: a pending one would hold this
    // agent's closures for 5 s after its sandbox went (memory.test counts them).
    const doorEnds = (err?: Error) => {
      if (!over) doorEnded ??= setTimeout(() => ended(err), EXEC_END_MS).unref();
    };
    onDoorOpen?.((socket, rest) => {
      door = sink = socket;
      this.streams.add(socket as never);
      socket.on('data', (chunk: Buffer) => client.push(chunk));
      socket.once('close', () => doorEnds());
      socket.once('error', doorEnds);
      if (rest.length) client.push(rest);
      socket.resume();
    });
    if (!(await settlesWithin(client.ready, READY_MS))) {
      stream.destroy();
      throw new Error(`the agent did not answer within ${READY_MS / 1000} s`);
    }
    const version = await client.ready.catch((err: Error) => {
      const said = early?.[0] === Ev.ready.charCodeAt(0) ? '' : early?.toString('utf8').trim();
      throw new Error(`the agent did not start: ${said || err.message}`);
    });
    if (version !== agentVersion()) {
      // Its stdin ends with the stream: an agent with no commands exits.
      stream.destroy();
      throw new Error(`${path} is another agent build ("${version}", this daemon's is "${agentVersion()}")`);
    }
    this.log.debug({ containerId, path, version, door: door !== undefined }, 'agent started');
    return client;
  }

  /** The binary for `arch` as a one-file tar, read once; its name carries its hash, so versions never clash. */
  private binary(arch: string): Promise<Binary> {
    let binary = this.binaries.get(arch);
    if (!binary) {
      binary = packBinary(arch);
      this.binaries.set(arch, binary);
    }
    return binary;
  }
}

async function packBinary(arch: string): Promise<Binary> {
  const path = agentBinary(arch);
  if (!path) throw new Error(`no agent built for ${arch} (npm run build -w @pocketdock/agent)`);
  const data = readFileSync(path);
  // The version line is one string in the binary: without this daemon's, it was built from other sources.
  if (!data.includes(agentVersion()))
    throw new Error(`${path} is not built from this daemon's agent sources (npm run build -w @pocketdock/agent)`);
  const name = `.pocketdock-agent-${createHash('sha256').update(data).digest('hex').slice(0, 12)}`;
  const pack = tar.pack();
  pack.entry({ name, mode: 0o755, uid: 0, gid: 0, size: data.length }, data);
  pack.finalize();
  const parts: Buffer[] = [];
  for await (const chunk of pack) parts.push(chunk as Buffer);
  return { name, tar: Buffer.concat(parts) };
}
