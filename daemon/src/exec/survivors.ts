/**
 * Execs that outlived the daemon that started them (it was killed, or restarted): their processes
 * still carry POCKETDOCK_EXEC=<id> (signal.ts), so a new daemon finds them in /proc, signals them
 * there and knows they ended when no process carries the marker any more. Their output went to
 * the old daemon's engine stream and is gone; so is the exit code.
 */
import { Demuxer, type Engine } from '../engine/index.js';
import { STOP_GRACE_MS, UNKNOWN_EXIT, type CommandRun, type ExecOutcome } from './run.js';
import { EXEC_MARKER, signalExec } from './signal.js';

const LIST_SCRIPT = `for p in /proc/[0-9]*; do tr '\\0' '\\n' < "$p/environ" 2>/dev/null | grep "^${EXEC_MARKER}="; done | sort -u`;
// Runs until no process carries the marker: its end is the exec's end.
const WAIT_SCRIPT = `marker=$1
while :; do
  found=0
  for p in /proc/[0-9]*; do
    if grep -qzx "$marker" "$p/environ" 2>/dev/null; then found=1; break; fi
  done
  [ $found = 1 ] || exit 0
  sleep 0.2
done`;

/** Runs a helper in the container (as its user, like signal.ts) and answers its stdout once it ends. */
async function helper(engine: Engine, containerId: string, cmd: string[]): Promise<string> {
  const { stream } = await engine.exec(containerId, { cmd });
  let out = '';
  const demux = new Demuxer((s, data) => {
    if (s === 'stdout') out += data.toString('utf8');
  });
  stream.on('data', (b: Buffer) => demux.push(b));
  await new Promise<void>((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
    stream.once('error', () => resolve());
  });
  demux.end();
  return out;
}

/** The ids of the execs that have a process running in the container. */
export async function survivingExecIds(engine: Engine, containerId: string): Promise<string[]> {
  const out = await helper(engine, containerId, ['sh', '-c', LIST_SCRIPT]);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => line.slice(EXEC_MARKER.length + 1));
}

/** A surviving exec as a Run: it can be signalled, stopped and waited on, and has no output. */
export class SurvivorRun implements CommandRun {
  readonly finished: Promise<ExecOutcome>;
  private stopping: Promise<void> | undefined;

  constructor(
    private readonly engine: Engine,
    private readonly containerId: string,
    readonly id: string,
  ) {
    const found = Date.now();
    this.finished = helper(engine, containerId, ['sh', '-c', WAIT_SCRIPT, 'pocketdock-wait', `${EXEC_MARKER}=${id}`])
      .catch(() => '')
      .then(() => ({ exitCode: UNKNOWN_EXIT, durationMs: Date.now() - found, timedOut: false }));
  }

  async signal(signal: number): Promise<void> {
    await signalExec(this.engine, this.containerId, { marker: this.id }, signal);
  }

  stop(): Promise<void> {
    this.stopping ??= (async () => {
      await this.signal(15);
      const ended = await Promise.race([
        this.finished.then(() => true),
        new Promise<false>((r) => setTimeout(() => r(false), STOP_GRACE_MS).unref()),
      ]);
      if (!ended) await this.signal(9);
    })();
    return this.stopping;
  }

  // No stream to pause, write to or resize: the old daemon held it.
  allow(): void {}
  note(): void {}

  async signalShell(signal: number): Promise<void> {
    await signalExec(this.engine, this.containerId, { marker: this.id, exact: true }, signal);
  }

  async signalMarked(marker: string, signal: number): Promise<void> {
    await signalExec(this.engine, this.containerId, { marker, root: this.id }, signal);
  }

  write(): void {}
  resize(): Promise<void> {
    return Promise.resolve();
  }
}
