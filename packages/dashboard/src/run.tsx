/**
 * Run a command and watch stdout and stderr stream in (the client's ExecStream, lossless), or start
 * it in the background as a detached process.
 */
import { useRef, useState } from 'preact/hooks';
import { ExecStream } from '@pocketdock/client/browser';
import type { ExecResult, Lang } from '@pocketdock/protocol';
import { Output, type Chunk } from './output.js';
import { attempt, reportError, reportInfo } from './notices.js';
import type { PanelProps } from './sandbox.js';

const LANGS: Lang[] = ['sh', 'bash', 'python', 'node'];

export function RunPanel({ transport, sandbox }: PanelProps) {
  const [chunks, setChunks] = useState<Chunk[]>([]);
  const [result, setResult] = useState<ExecResult>();
  const [running, setRunning] = useState<AbortController>();
  const form = useRef<HTMLFormElement>(null);

  const read = () => {
    const data = new FormData(form.current!);
    return { command: String(data.get('command') ?? ''), lang: String(data.get('lang') ?? 'sh') as Lang };
  };

  const run = async (e: Event) => {
    e.preventDefault();
    const { command, lang } = read();
    if (!command.trim()) return;
    const abort = new AbortController();
    setChunks([]);
    setResult(undefined);
    setRunning(abort);
    try {
      const stream = ExecStream.start(
        transport,
        crypto.randomUUID(),
        { container: sandbox.id, command, lang },
        {
          keep: false, // the chunks are shown as they come; the result is read for its exit code
          signal: abort.signal,
        },
      );
      for await (const ch of stream) setChunks((all) => [...all, ch]);
      setResult(stream.result);
    } catch (err) {
      if (abort.signal.aborted) reportInfo('Stopped the command');
      else reportError('The command failed', err);
    }
    setRunning(undefined);
  };

  const detach = async () => {
    const { command, lang } = read();
    if (!command.trim()) return;
    const started = await attempt('Starting the process failed', () =>
      transport.call('exec.start', { container: sandbox.id, command, lang, detach: true }),
    );
    if (started) reportInfo('Started in the background', `process ${started.execId}: see Processes`);
  };

  return (
    <div class="run">
      <form ref={form} class="row" onSubmit={(e) => void run(e)}>
        <label class="sr-only" for="run-command">
          Command
        </label>
        <input id="run-command" name="command" class="grow mono" placeholder="a command, e.g. ls -la /home/sandbox" autocomplete="off" />
        <label class="sr-only" for="run-lang">
          Language
        </label>
        <select id="run-lang" name="lang">
          {LANGS.map((l) => (
            <option key={l}>{l}</option>
          ))}
        </select>
        {running ? (
          <button type="button" class="danger" onClick={() => running.abort(new DOMException('stopped from the dashboard', 'AbortError'))}>
            Stop command
          </button>
        ) : (
          <button type="submit" class="primary">
            Run
          </button>
        )}
        <button type="button" onClick={() => void detach()}>
          Run in background
        </button>
      </form>
      <Output chunks={chunks} label="Command output" />
      {result && (
        <p class={result.ok ? 'muted' : 'error'} data-testid="run-result">
          exit code {result.exitCode} · {Math.round(result.durationMs)} ms{result.timedOut ? ' · timed out' : ''}
          {result.truncated ? ' · output truncated' : ''}
        </p>
      )}
    </div>
  );
}
