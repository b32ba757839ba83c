/**
 * One command running in a container: started through the engine, its output demultiplexed to a
 * sink as it arrives, stoppable from outside (timeout, kill) inside the container.
 */
import { randomUUID } from 'node:crypto';
import type { Lang } from '@pocketdock/protocol';
import { Demuxer, type DemuxSink, type Engine } from '../engine/index.js';
import type { Logger } from '../log.js';
import { EXEC_MARKER, signalExec } from './signal.js';

export interface ExecOutcome {
  exitCode: number;
  durationMs: number;
  /** True when the command ended after pocketdock stopped it for running past its timeout. */
  timedOut: boolean;
}

/** How long a stopped command gets between SIGTERM and SIGKILL. */
export const STOP_GRACE_MS = 1000;

export function commandArgv(command: string, lang: Lang | undefined): string[] {
  switch (lang) {
    case 'python': return ['python3', '-c', command];
    case 'bash': return ['bash', '-c', command];
    case 'node': return ['node', '-e', command];
    default: return ['sh', '-c', command];
  }
}

export interface ExecStart {
  engine: Engine;
  containerId: string;
  argv: string[];
  sink: DemuxSink;
  log: Logger;
  id?: string;
  timeoutMs?: number;
}

export class ExecRun {
  readonly finished: Promise<ExecOutcome>;
  private stopping: Promise<void> | undefined;
  private timedOut = false;
  private ended = false;

  private constructor(
    readonly id: string,
    private readonly engine: Engine,
    readonly containerId: string,
    private readonly engineExecId: string,
    stream: NodeJS.ReadableStream,
    sink: DemuxSink,
    private readonly log: Logger,
    timeoutMs: number | undefined,
    started: number,
  ) {
    const demux = new Demuxer(sink);
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => {
      this.timedOut = true;
      this.log.info({ timeoutMs }, 'exec timed out: stopping it');
      void this.stop();
    }, timeoutMs);
    this.finished = new Promise<void>((resolve, reject) => {
      stream.on('data', (chunk: Buffer) => demux.push(chunk));
      stream.once('end', resolve);
      stream.once('close', resolve);
      stream.once('error', reject);
    }).then(async () => {
      this.ended = true;
      clearTimeout(timer);
      demux.end();
      const exitCode = await this.exitCode();
      const outcome = { exitCode, durationMs: Date.now() - started, timedOut: this.timedOut };
      this.log.debug(outcome, 'exec done');
      return outcome;
    }, (err: unknown) => {
      clearTimeout(timer);
      this.log.warn({ err }, 'exec stream failed');
      throw err;
    });
  }

  static async start(s: ExecStart): Promise<ExecRun> {
    const id = s.id ?? randomUUID();
    const log = s.log.child({ execId: id, containerId: s.containerId });
    const started = Date.now();
    const { execId, stream } = await s.engine.exec(s.containerId, { cmd: s.argv, env: [`${EXEC_MARKER}=${id}`] });
    log.debug({ argv: s.argv }, 'exec started');
    return new ExecRun(id, s.engine, s.containerId, execId, stream, s.sink, log, s.timeoutMs, started);
  }

  /** Sends a signal to the command and everything it started, inside the container. */
  signal(signal: number): Promise<void> {
    return signalExec(this.engine, this.containerId, this.id, signal);
  }

  /** SIGTERM, then SIGKILL after a grace period unless the command has ended. */
  stop(graceMs = STOP_GRACE_MS): Promise<void> {
    this.stopping ??= (async () => {
      await this.signal(15);
      const ended = await Promise.race([
        this.finished.then(() => true, () => true),
        new Promise<false>((r) => setTimeout(() => r(false), graceMs).unref()),
      ]);
      if (!ended && !this.ended) await this.signal(9);
    })().catch((err: unknown) => this.log.warn({ err }, 'stopping exec failed'));
    return this.stopping;
  }

  private async exitCode(): Promise<number> {
    // The attach stream can close a moment before the engine records the exit code.
    for (let attempt = 0; attempt < 50; attempt++) {
      const info = await this.engine.execInspect(this.engineExecId);
      if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return info.ExitCode;
      await new Promise((r) => setTimeout(r, 10));
    }
    return -1;
  }
}
