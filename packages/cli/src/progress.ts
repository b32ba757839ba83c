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

/** Progress of a byte transfer: `onProgress` for the client's TransferOptions, `done` once it ended. */
export function transferProgress(out: Output, label: string): { onProgress: (p: Progress) => void; done: () => void } {
  const started = Date.now();
  let last: Progress = { bytes: 0 };
  const finish = () => out.note(`${label}: ${bytes(last.bytes)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
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
      done: finish,
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {percentage}% {done}{of}`,
      hideCursor: true,
      clearOnComplete: true,
      stream: process.stderr,
      formatValue: (v, _o, type) => (type === 'percentage' ? String(v).padStart(3) : String(v)),
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(1, 0, { done: '0 B', of: '' });
  return {
    onProgress: (p) => {
      last = p;
      // Without a total (a directory's tar) the bar shows bytes moved and stays at its start.
      bar.setTotal(p.total ?? Math.max(p.bytes, 1) * 2);
      bar.update(p.bytes, { done: bytes(p.bytes), of: p.total ? ` of ${bytes(p.total)}` : '' });
    },
    done: () => {
      bar.stop();
      finish();
    },
  };
}

/** Progress of image builds: a bar of Dockerfile steps per profile on a terminal, a line per step otherwise. */
export function buildProgress(out: Output): { onProgress: (p: ImageProgress) => void; done: () => void } {
  if (!onTerminal()) {
    const seen = new Map<string, number>();
    return {
      onProgress: (p) => {
        if (p.step === undefined || seen.get(p.profile) === p.step) return;
        seen.set(p.profile, p.step);
        out.note(`${p.profile}: step ${p.step}${p.total ? `/${p.total}` : ''} ${p.line.trim()}`);
      },
      done: () => undefined,
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
  const byProfile = new Map<string, cliProgress.SingleBar>();
  const width = () => Math.max(10, (process.stderr.columns ?? 80) - 60);
  return {
    onProgress: (p) => {
      let bar = byProfile.get(p.profile);
      if (!bar) byProfile.set(p.profile, (bar = bars.create(p.total ?? 1, 0, { profile: p.profile.padEnd(14), line: '' })));
      if (p.total) bar.setTotal(p.total);
      bar.update(p.step ?? bar.getProgress() * bar.getTotal(), { line: p.line.trim().slice(0, width()) });
    },
    done: () => bars.stop(),
  };
}
