/**
 * Progress of long operations on stderr: bars (cli-progress) on a terminal, plain lines otherwise,
 * so a log or CI output stays readable.
 */
import cliProgress from 'cli-progress';
import type { ImageProgress, Progress } from '@pocketdock/client';
import { bytes, type Output } from './output.js';

const onTerminal = () => Boolean(process.stderr.isTTY);

/** Every this fraction of a transfer of known size gets a plain line. */
const LINE_STEP = 0.25;

/** What a command feeds with progress, and ends once its work is over. */
export interface Tracker<P> {
  onProgress: (p: P) => void;
  /** Takes the display down: after a success it may leave a summary, after a failure the error's line follows on a line of its own. */
  end: (ok: boolean) => void;
}

/** Runs `work` with `tracker`'s onProgress and ends the tracker however the work ends. */
export async function tracked<T, P>(tracker: Tracker<P>, work: (onProgress: (p: P) => void) => Promise<T>): Promise<T> {
  let ok = false;
  try {
    const result = await work(tracker.onProgress);
    ok = true;
    return result;
  } finally {
    tracker.end(ok);
  }
}

/** Progress of a byte transfer (the client's TransferOptions.onProgress); a summary line once it succeeded. */
export function transferProgress(out: Output, label: string): Tracker<Progress> {
  const started = Date.now();
  let last: Progress = { bytes: 0 };
  const finish = (ok: boolean) => {
    if (ok) out.note(`${label}: ${bytes(last.bytes)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  };
  if (!onTerminal()) {
    let nextLine = LINE_STEP;
    return {
      onProgress: (p) => {
        last = p;
        if (p.total && p.bytes / p.total >= nextLine && p.bytes < p.total) {
          out.note(`${label}: ${Math.floor((p.bytes / p.total) * 100)}% of ${bytes(p.total)}`);
          while (nextLine <= p.bytes / p.total) nextLine += LINE_STEP;
        }
      },
      end: finish,
    };
  }
  // Made at the first progress, which tells whether there is a total to fill a bar towards.
  let bar: cliProgress.SingleBar | undefined;
  let percent = 0;
  const open = (total: number | undefined) => {
    const made = new cliProgress.SingleBar(
      {
        // Without a total (a directory's tar) only the bytes moved can be told.
        format: total === undefined ? `${label} {done}` : `${label} {bar} {percentage}% {done} of ${bytes(total)}`,
        hideCursor: true,
        clearOnComplete: true,
        stream: process.stderr,
        formatValue: (v, _o, type) => (type === 'percentage' ? String(v).padStart(3) : String(v)),
      },
      cliProgress.Presets.shades_classic,
    );
    made.start(total ?? 1, 0, { done: '0 B' });
    return made;
  };
  return {
    onProgress: (p) => {
      last = p;
      bar ??= open(p.total);
      if (p.total) bar.setTotal(p.total);
      bar.update(p.total ? p.bytes : 0, { done: bytes(p.bytes) });
      // Each whole percent (100 frames at most), or each megabyte moved without a total, is drawn: not
      // only what the frame rate lets through, which is one frame for a transfer done within it.
      const now = p.total ? Math.floor((Math.min(p.bytes, p.total) / p.total) * 100) : Math.floor(p.bytes / 1e6);
      if (now !== percent) bar.render();
      percent = now;
    },
    end: (ok) => {
      bar?.stop();
      finish(ok);
    },
  };
}

/** Progress of image builds: a bar of Dockerfile steps per profile on a terminal, a line per step otherwise. */
export function buildProgress(out: Output): Tracker<ImageProgress> {
  if (!onTerminal()) {
    const seen = new Map<string, number>();
    return {
      onProgress: (p) => {
        if (p.step === undefined || seen.get(p.profile) === p.step) return;
        seen.set(p.profile, p.step);
        out.note(`${p.profile}: step ${p.step}${p.total ? `/${p.total}` : ''} ${p.line.trim()}`);
      },
      end: () => undefined,
    };
  }
  const bars = new cliProgress.MultiBar(
    {
      format: '{profile} {bar} {value}/{total} {line}',
      hideCursor: true,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  const byProfile = new Map<string, { bar: cliProgress.SingleBar; step: number }>();
  const width = () => Math.max(10, (process.stderr.columns ?? 80) - 60);
  return {
    onProgress: (p) => {
      let shown = byProfile.get(p.profile);
      if (!shown) {
        shown = { bar: bars.create(p.total ?? 1, 0, { profile: p.profile.padEnd(14), line: '' }), step: 0 };
        byProfile.set(p.profile, shown);
      }
      if (p.total) shown.bar.setTotal(p.total);
      shown.bar.update(p.step ?? shown.step, { line: p.line.trim().slice(0, width()) });
      // Every step is drawn: a cached build runs them all within one frame of the frame rate.
      if (p.step !== undefined && p.step !== shown.step) bars.update();
      shown.step = p.step ?? shown.step;
    },
    // The bars stay, at their last step: what was built. No bar, nothing drawn: nothing to take down.
    end: () => {
      if (byProfile.size > 0) bars.stop();
    },
  };
}
