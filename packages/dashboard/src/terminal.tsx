/**
 * A terminal (xterm.js) on a PTY in the sandbox: keys go to terminal.input, output comes from
 * exec.output, and the PTY follows the panel's size (drag its corner; the program gets SIGWINCH).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { Terminal as Xterm, type ITheme } from '@xterm/xterm';
import { FitAddon } from '@xterm/addon-fit';
import { Terminal } from '@pocketdock/client/browser';
import { reportError } from './notices.js';
import type { PanelProps } from './sandbox.js';

const DARK: ITheme = { background: '#16181d', foreground: '#d8dee9', cursor: '#d8dee9', selectionBackground: '#3b4252' };
const LIGHT: ITheme = { background: '#fbfbfc', foreground: '#1d2129', cursor: '#1d2129', selectionBackground: '#c8d3e6' };
const darkScheme = matchMedia('(prefers-color-scheme: dark)');

export function TerminalPanel({ transport, sandbox, shown }: PanelProps) {
  const host = useRef<HTMLDivElement>(null);
  const fit = useRef<() => void>();
  const [exited, setExited] = useState<string>();
  const [generation, restart] = useState(0);

  useEffect(() => {
    const xterm = new Xterm({
      fontFamily: 'ui-monospace, "DejaVu Sans Mono", monospace',
      fontSize: 13,
      theme: darkScheme.matches ? DARK : LIGHT,
    });
    const fitter = new FitAddon();
    xterm.loadAddon(fitter);
    xterm.open(host.current!);
    fitter.fit();
    const onScheme = () => {
      xterm.options.theme = darkScheme.matches ? DARK : LIGHT;
    };
    darkScheme.addEventListener('change', onScheme);
    let term: Terminal | undefined;
    let closed = false;
    // Keys typed while the PTY is being opened wait for it, in order, rather than being dropped.
    let early = '';
    const send = (data: string) => term!.write(data).catch((err: unknown) => reportError('Typing into the terminal failed', err));
    const input = xterm.onData((data) => {
      if (term) void send(data);
      else early += data;
    });
    const resize = xterm.onResize(({ rows, cols }) => {
      term?.resize(rows, cols).catch(() => undefined);
    });
    const cleanups: (() => void)[] = [() => input.dispose(), () => resize.dispose()];
    (async () => {
      const asked = { rows: xterm.rows, cols: xterm.cols };
      term = await Terminal.open(transport, { container: sandbox.id }, asked);
      if (closed) return void term.close();
      cleanups.push(term.onData((data) => xterm.write(data)));
      // The panel may have been resized while the PTY was being opened.
      if (xterm.rows !== asked.rows || xterm.cols !== asked.cols) term.resize(xterm.rows, xterm.cols).catch(() => undefined);
      if (early) void send(early);
      early = '';
      xterm.focus();
      const result = await term.exited;
      if (!closed) setExited(`exited with code ${result.exitCode}`);
    })().catch((err: unknown) => {
      if (!closed) reportError('Opening a terminal failed', err);
    });
    fit.current = () => fitter.fit();
    const observer = new ResizeObserver(() => {
      if (host.current?.offsetParent) fitter.fit();
    });
    observer.observe(host.current!);
    return () => {
      closed = true;
      observer.disconnect();
      darkScheme.removeEventListener('change', onScheme);
      for (const fn of cleanups) fn();
      void term?.close().catch(() => undefined);
      xterm.dispose();
    };
  }, [transport, sandbox.id, generation]);

  useEffect(() => {
    if (shown) fit.current?.();
  }, [shown]);

  return (
    <div class="terminal">
      <div class="term-host" ref={host} aria-label="Terminal" />
      {exited && (
        <p class="row">
          <span class="muted grow">The shell {exited}.</span>
          <button
            type="button"
            onClick={() => {
              setExited(undefined);
              restart((g) => g + 1);
            }}
          >
            New shell
          </button>
        </p>
      )}
    </div>
  );
}
