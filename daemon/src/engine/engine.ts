/**
 * One container engine (Docker or Podman) behind one socket. Every dockerode call of the daemon
 * goes through here: logged (start, done, failure, with the container id) and with its failures
 * mapped to the protocol's error types in one place, `call`.
 */
import type { IncomingMessage } from 'node:http';
import { createInterface } from 'node:readline';
import type { Duplex, Readable } from 'node:stream';
import type Docker from 'dockerode';
import { DaemonError } from '../errors.js';
import type { Logger } from '../log.js';
import { stillFor } from '@pocketdock/protocol/tar';
import { DEFAULT_ANSWER_MS, answerWithin, closeLate } from './deadline.js';
import { Dockerode } from './dockerode.js';
import { mapEngineError, type FailureContext } from './errors.js';
import { EngineImages } from './images.js';
import { hasPreviousSample, imageRef, topColumns, type TopResult } from './shapes.js';

export type ContainerInspect = Docker.ContainerInspectInfo;
export type ContainerSummary = Docker.ContainerInfo;
export type ContainerCreateRequest = Docker.ContainerCreateOptions;
export type HostConfig = Docker.HostConfig;
export type ContainerStats = Docker.ContainerStats;

/** One engine event about a container: what happened ("start", "die", "destroy", …) to which. */
export interface ContainerEvent {
  action: string;
  id: string;
  name: string;
  /** The container's labels, as the engine puts them among the event's attributes. */
  labels: Record<string, string>;
}

function parseEvent(line: string): ContainerEvent | undefined {
  try {
    const e = JSON.parse(line) as {
      Action?: string;
      status?: string;
      Actor?: { ID?: string; Attributes?: Record<string, string> };
      id?: string;
    };
    const id = e.Actor?.ID ?? e.id;
    const action = e.Action ?? e.status;
    const attributes = e.Actor?.Attributes ?? {};
    return id && action ? { action, id, name: attributes.name ?? '', labels: attributes } : undefined;
  } catch {
    return undefined;
  }
}

/** How the engine writes "never" in a time (a stopped container's stats are read at year 1). */
const ZERO_TIME_YEAR = '0001-';

/** Between two stats samples when the engine gives only one (Podman): the CPU share's window. */
const CPU_SAMPLE_MS = 200;

export interface ExecSpec {
  cmd: string[];
  env?: string[];
  user?: string;
  workdir?: string;
  tty?: boolean;
  stdin?: boolean;
}

export interface StartedExec {
  execId: string;
  stream: Duplex;
}

/** What a container the daemon is ending will be once it is done: stopped, or removed ("gone"). */
export type ContainerEnd = 'stopped' | 'gone';

export class Engine {
  private readonly docker: Docker;
  private readonly log: Logger;
  readonly images: EngineImages;
  private archQuery: Promise<string> | undefined;
  /**
   * The stops (how many) and removals this daemon has in flight, by the container's full id: a
   * command that ends meanwhile ended with its container (exec/fault.ts), though the engine may
   * still say "running" and the container's first process still live (a stop can kill all its
   * processes at once). A removal asked for again while one is in flight joins it: Docker refuses a
   * second ("already in progress") where both callers want the same.
   */
  private readonly stopping = new Map<string, number>();
  private readonly removing = new Map<string, Promise<void>>();

  /** `answerMs`: how long a quick call may wait for the engine's answer (deadline.ts). */
  constructor(
    readonly socketPath: string,
    log: Logger,
    readonly answerMs = DEFAULT_ANSWER_MS,
  ) {
    this.docker = new Dockerode({ socketPath });
    this.log = log.child({ engine: socketPath });
    this.images = new EngineImages(this.docker, socketPath, answerMs);
  }

  /**
   * `deadlineMs`: how long the engine may take to answer; 0 for calls whose length depends on the work
   * (commit, upload). `discard` closes what an answer past the deadline holds open (answerWithin).
   */
  private async call<T>(
    op: string,
    ctx: Omit<FailureContext, 'socketPath'>,
    fn: () => Promise<T>,
    deadlineMs = this.answerMs,
    discard?: (late: T) => void,
  ): Promise<T> {
    const started = performance.now();
    this.log.debug({ op, ...ctx }, 'engine call');
    try {
      const result = deadlineMs > 0 ? await answerWithin(fn(), deadlineMs, this.socketPath, op, discard) : await fn();
      this.log.debug({ op, ...ctx, ms: Math.round(performance.now() - started) }, 'engine call done');
      return result;
    } catch (err) {
      const mapped = mapEngineError(err, { socketPath: this.socketPath, ...ctx });
      this.log.debug({ op, ...ctx, ms: Math.round(performance.now() - started), error: mapped.message }, 'engine call failed');
      throw mapped;
    }
  }

  /** The engine's CPU architecture as engines name them (amd64, arm64): what runs in its containers natively. */
  arch(): Promise<string> {
    this.archQuery ??= this.call('version', {}, async () => (await this.docker.version()).Arch);
    this.archQuery.catch(() => {
      this.archQuery = undefined;
    });
    return this.archQuery;
  }

  ping(): Promise<unknown> {
    return this.call('ping', {}, () => this.docker.ping());
  }

  /** Refuses to go on with a runtime the engine does not list (a sandbox would not start). */
  async requireRuntime(runtime: string): Promise<void> {
    if (!runtime) return;
    const info = (await this.call('info', {}, () => this.docker.info())) as { Runtimes?: Record<string, unknown> };
    const listed = Object.keys(info.Runtimes ?? {});
    if (!listed.includes(runtime)) {
      throw new DaemonError(
        'PocketDockError',
        `runtime ${runtime} is not one the engine at ${this.socketPath} lists (${listed.join(', ')})`,
        { detail: `unknown runtime ${runtime}` },
      );
    }
  }

  /** The network `name`'s labels, or undefined when the engine has no such network. */
  inspectNetwork(name: string): Promise<Record<string, string> | undefined> {
    return this.call('network inspect', {}, async () => {
      try {
        return ((await this.docker.getNetwork(name).inspect()) as { Labels?: Record<string, string> | null }).Labels ?? {};
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) return undefined;
        throw err;
      }
    });
  }

  /**
   * Creates a bridge network whose interface on the host is `bridge`. Podman's is made without its
   * DNS server, which would listen on the gateway (one more host service a sandbox reaches), as its
   * default network is; Docker's DNS answers inside each container.
   */
  createBridgeNetwork(name: string, bridge: string, labels: Record<string, string>): Promise<void> {
    return this.call('network create', {}, async () => {
      const version = (await this.docker.version()) as { Components?: { Name: string }[] };
      if (version.Components?.some((c) => /podman/i.test(c.Name))) {
        await new Promise((resolve, reject) =>
          this.docker.modem.dial(
            {
              path: '/v4.0.0/libpod/networks/create',
              method: 'POST',
              options: { name, driver: 'bridge', network_interface: bridge, dns_enabled: false, labels },
              statusCodes: { 200: true, 201: true, 409: 'network exists', 500: 'server error' },
            },
            (err, data) => (err ? reject(err) : resolve(data)),
          ),
        );
        return;
      }
      await this.docker.createNetwork({
        Name: name,
        Driver: 'bridge',
        CheckDuplicate: true,
        Options: { 'com.docker.network.bridge.name': bridge },
        Labels: labels,
      });
    });
  }

  createContainer(opts: Docker.ContainerCreateOptions): Promise<string> {
    return this.call('create', { image: opts.Image ?? '' }, async () => (await this.docker.createContainer(opts)).id);
  }

  startContainer(id: string): Promise<void> {
    return this.call('start', { containerId: id }, async () => {
      await this.docker.getContainer(id).start();
    });
  }

  inspectContainer(ref: string): Promise<ContainerInspect> {
    return this.call('inspect', { containerId: ref }, async () => {
      const inspect = await this.docker.getContainer(ref).inspect();
      inspect.Config.Image = imageRef(inspect.Config.Image);
      return inspect;
    });
  }

  /** Containers, running or not, carrying every one of `labels` (and, given `id`, only that one). */
  listContainers(labels: Record<string, string>, id?: string): Promise<ContainerSummary[]> {
    const label = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    return this.call('list', {}, async () => {
      const list = await this.docker.listContainers({ all: true, filters: { label, ...(id !== undefined && { id: [id] }) } });
      for (const c of list) c.Image = imageRef(c.Image);
      return list;
    });
  }

  /**
   * The engine's events about containers carrying every one of `labels`, as they happen, until
   * `signal` aborts (the iteration then ends) or the engine breaks the stream off (it throws).
   */
  async *containerEvents(labels: Record<string, string>, signal: AbortSignal): AsyncGenerator<ContainerEvent> {
    const label = Object.entries(labels).map(([k, v]) => `${k}=${v}`);
    for await (const line of this.lines('events', {}, () => this.docker.getEvents({ filters: { type: ['container'], label } }), signal)) {
      const e = parseEvent(line);
      if (e) yield e;
    }
    if (!signal.aborted) throw mapEngineError(new Error('the engine ended its event stream'), { socketPath: this.socketPath });
  }

  /**
   * A running container's stats as the engine streams them (Docker every second, Podman every five),
   * each with the previous sample in precpu_stats, until the container stops (the iteration ends) or
   * `signal` aborts.
   */
  async *statsStream(id: string, signal: AbortSignal): AsyncGenerator<ContainerStats> {
    let previous: ContainerStats['cpu_stats'] | undefined;
    for await (const line of this.lines('stats', { containerId: id }, () => this.docker.getContainer(id).stats({ stream: true }), signal)) {
      let sample: ContainerStats;
      try {
        sample = JSON.parse(line) as ContainerStats;
      } catch {
        continue;
      }
      // Docker goes on streaming zeroes for a stopped container; Podman ends the stream.
      if (!sample.read || sample.read.startsWith(ZERO_TIME_YEAR)) return;
      if (!hasPreviousSample(sample) && previous) sample.precpu_stats = previous;
      previous = sample.cpu_stats;
      if (hasPreviousSample(sample)) yield sample;
    }
  }

  /** The lines of one of the engine's JSON streams (one object per line, Docker and Podman alike), until it ends or `signal` aborts. */
  private async *lines(
    op: string,
    ctx: Omit<FailureContext, 'socketPath'>,
    open: () => Promise<unknown>,
    signal: AbortSignal,
  ): AsyncGenerator<string> {
    const stream = (await this.call(op, ctx, open, this.answerMs, (late) => closeLate(late as Readable))) as Readable;
    const stop = () => stream.destroy();
    signal.addEventListener('abort', stop, { once: true });
    try {
      for await (const line of createInterface({ input: stream, crlfDelay: Infinity })) yield line;
    } catch (err) {
      if (!signal.aborted) throw mapEngineError(err, { socketPath: this.socketPath, ...ctx });
    } finally {
      signal.removeEventListener('abort', stop);
      stream.destroy();
    }
  }

  /** Commits a container's file system to `repo:tag`, with `labels` set on the image; returns the image id. */
  commitContainer(id: string, image: { repo: string; tag: string }, labels: Record<string, string>): Promise<string> {
    // Docker merges the body's config over the container's; Podman only reads `changes` (and
    // refuses an empty body), so both carry the labels.
    const changes = Object.entries(labels)
      .map(([k, v]) => `LABEL ${k}=${JSON.stringify(v)}`)
      .join('\n');
    return this.call(
      'commit',
      { containerId: id },
      async () => {
        const res = (await this.docker.getContainer(id).commit({
          _query: { container: id, repo: image.repo, tag: image.tag, changes },
          _body: { Labels: labels },
        })) as { Id: string };
        this.images.forget();
        return res.Id;
      },
      0,
    );
  }

  renameContainer(id: string, name: string): Promise<void> {
    return this.call('rename', { containerId: id }, async () => {
      await this.docker.getContainer(id).rename({ name });
    });
  }

  /** Changes a running container's resource limits (memory, CPU) in place. */
  updateContainer(id: string, limits: Pick<HostConfig, 'Memory' | 'MemorySwap' | 'CpuPeriod' | 'CpuQuota'>): Promise<void> {
    return this.call('update', { containerId: id }, async () => {
      await this.docker.getContainer(id).update(limits);
    });
  }

  /** How this daemon is ending container `id` (its full id) right now, if it is. */
  endingNow(id: string): ContainerEnd | undefined {
    return this.removing.has(id) ? 'gone' : this.stopping.has(id) ? 'stopped' : undefined;
  }

  stopContainer(id: string, graceSeconds: number): Promise<void> {
    this.stopping.set(id, (this.stopping.get(id) ?? 0) + 1);
    return this.call(
      'stop',
      { containerId: id },
      async () => {
        try {
          await this.docker.getContainer(id).stop({ t: graceSeconds });
        } catch (err) {
          if ((err as { statusCode?: number }).statusCode !== 304) throw err; // already stopped
        }
      },
      graceSeconds * 1000 + this.answerMs,
    ).finally(() => {
      const left = this.stopping.get(id)! - 1;
      if (left > 0) this.stopping.set(id, left);
      else this.stopping.delete(id);
    });
  }

  /**
   * Whether the container stops within `ms` (a removed one has). A command's stream can end while a
   * stop or removal is under way and the engine still says "running".
   */
  async stopsWithin(id: string, ms: number): Promise<boolean> {
    try {
      await this.docker.getContainer(id).wait({ condition: 'not-running', abortSignal: AbortSignal.timeout(ms) });
      return true;
    } catch (err) {
      return (err as { statusCode?: number }).statusCode === 404;
    }
  }

  removeContainer(id: string, opts: { force?: boolean; volumes?: boolean } = {}): Promise<void> {
    const inFlight = this.removing.get(id);
    if (inFlight) return inFlight;
    const removal = this.call('remove', { containerId: id }, async () => {
      await this.docker.getContainer(id).remove({ force: opts.force ?? false, v: opts.volumes ?? true });
    }).finally(() => this.removing.delete(id));
    this.removing.set(id, removal);
    return removal;
  }

  /** One stats sample with the previous one in precpu_stats, as the CPU share needs. */
  stats(id: string): Promise<Docker.ContainerStats> {
    return this.call('stats', { containerId: id }, async () => {
      const sample = () => this.docker.getContainer(id).stats({ stream: false });
      const first = await sample();
      if (hasPreviousSample(first)) return first;
      await new Promise((r) => setTimeout(r, CPU_SAMPLE_MS));
      return { ...(await sample()), precpu_stats: first.cpu_stats };
    });
  }

  top(id: string): Promise<TopResult> {
    return this.call('top', { containerId: id }, async () =>
      topColumns((await this.docker.getContainer(id).top({ ps_args: '-eo pid,user,etime,args' })) as TopResult),
    );
  }

  async exec(containerId: string, spec: ExecSpec): Promise<StartedExec> {
    return this.call(
      'exec',
      { containerId },
      async () => {
        const exec = await this.docker.getContainer(containerId).exec({
          Cmd: spec.cmd,
          Env: spec.env,
          User: spec.user,
          WorkingDir: spec.workdir,
          Tty: spec.tty ?? false,
          AttachStdin: spec.stdin ?? false,
          AttachStdout: true,
          AttachStderr: true,
        });
        const stream = await exec.start({ hijack: true, stdin: spec.stdin ?? false, Tty: spec.tty ?? false });
        return { execId: exec.id, stream: stream as Duplex };
      },
      this.answerMs,
      // Started after its caller gave up: nobody reads it (an agent exits as its input ends).
      (late) => closeLate(late.stream),
    );
  }

  /**
   * The archive API: unpacks `tar` into the existing directory `dir`; resolves once the engine has
   * written all of it. Replacing a directory with a file (or the reverse) is refused rather than
   * done. Failures name the container path (FileNotFound, FileError) rather than the container.
   * With `moved` (a count of the bytes that went so far), an engine that stops taking them, or does
   * not answer once it has them all, fails the call past the answer deadline (SocketCommunicationError).
   */
  putArchive(containerId: string, dir: string, tar: Readable, moved?: () => number): Promise<void> {
    // A tar that fails ends the request, also when it failed before the request was made: piped
    // then, it would never end it, and the call would wait forever.
    const abort = new AbortController();
    tar.once('error', () => abort.abort());
    let stall: DaemonError | undefined;
    const stalled = () => {
      const s = this.answerMs / 1000;
      stall = new DaemonError(
        'SocketCommunicationError',
        `the engine at ${this.socketPath} stopped taking the archive for ${dir} (putArchive) for ${s} s: what it took of it may be in the container`,
        { detail: `putArchive still for ${this.answerMs} ms` },
      );
      abort.abort();
    };
    // The engine's turn: it has bytes waiting for it, or all of them and an answer to give.
    const enginesTurn = () => tar.readableLength > 0 || tar.readableEnded;
    return this.call(
      'putArchive',
      { containerId, path: dir },
      async () => {
        const stop = moved ? stillFor(this.answerMs, { moved, enginesTurn }, stalled) : () => undefined;
        try {
          await this.docker.getContainer(containerId).putArchive(tar, { path: dir, noOverwriteDirNonDir: true, abortSignal: abort.signal });
        } catch (err) {
          throw stall ?? err;
        } finally {
          stop();
        }
      },
      0,
    );
  }

  /**
   * A tar of `path` — a file, a symlink (not followed) or a directory tree — as the engine streams it.
   * An engine that stops sending it midway, while its reader waits, fails it past the answer
   * deadline (SocketCommunicationError).
   */
  getArchive(containerId: string, path: string): Promise<Readable> {
    return this.call(
      'getArchive',
      { containerId, path },
      async () => {
        const archive = (await this.docker.getContainer(containerId).getArchive({ path })) as IncomingMessage;
        const movement = {
          moved: () => archive.socket?.bytesRead ?? 0,
          // Nothing read and waiting, and more to come: a reader behind leaves bytes waiting.
          enginesTurn: () => archive.readableLength === 0 && !archive.complete,
        };
        const stop = stillFor(this.answerMs, movement, () => {
          const s = this.answerMs / 1000;
          archive.destroy(
            new DaemonError(
              'SocketCommunicationError',
              `the engine at ${this.socketPath} stopped sending ${path} (getArchive) for ${s} s`,
              {
                detail: `getArchive still for ${this.answerMs} ms`,
              },
            ),
          );
        });
        archive.once('close', stop);
        return archive;
      },
      this.answerMs,
      closeLate,
    );
  }

  /** Sets a TTY exec's terminal size (the program gets SIGWINCH). */
  resizeExec(execId: string, rows: number, cols: number): Promise<void> {
    return this.call('resizeExec', {}, async () => {
      try {
        await this.docker.getExec(execId).resize({ h: rows, w: cols });
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 201) throw err; // Podman answers 201, which dockerode calls unexpected
      }
    });
  }

  execInspect(execId: string): Promise<Docker.ExecInspectInfo> {
    return this.call('execInspect', {}, () => this.docker.getExec(execId).inspect());
  }
}
