/**
 * What the CLI prints: JSON exactly as the API returns it, or text for people — aligned tables,
 * colour only on a terminal and never with NO_COLOR (https://no-color.org).
 */
import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

/** Whether `stream` should get colour: a terminal, and NO_COLOR unset or empty. */
export function wantsColor(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

export class Output {
  readonly color: Colors;
  readonly errColor: Colors;

  constructor(
    readonly json: boolean,
    readonly stdout: NodeJS.WriteStream = process.stdout,
    readonly stderr: NodeJS.WriteStream = process.stderr,
  ) {
    this.color = pc.createColors(wantsColor(stdout));
    this.errColor = pc.createColors(wantsColor(stderr));
  }

  line(text = ''): void {
    this.stdout.write(`${text}\n`);
  }

  /** Something for the person at the terminal, not the output (progress, notes): stderr. */
  note(text: string): void {
    this.stderr.write(`${text}\n`);
  }

  /** `value` as JSON with --json, else what `human` prints. */
  result<T>(value: T, human: (value: T) => void): void {
    if (this.json) this.line(JSON.stringify(value, null, 2));
    else human(value);
  }

  /** Rows under a header, each column as wide as its widest cell; `empty` when there are no rows. */
  table(header: readonly string[], rows: readonly (readonly string[])[], empty: string): void {
    if (rows.length === 0) {
      this.line(this.color.dim(empty));
      return;
    }
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
    const format = (cells: readonly string[]) =>
      cells
        .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd();
    this.line(this.color.bold(format(header)));
    for (const r of rows) this.line(format(r));
  }

  /** `label: value` pairs with the labels padded to one width; an empty label continues the one above. */
  fields(pairs: readonly (readonly [string, string])[]): void {
    const width = Math.max(...pairs.map(([k]) => k.length)) + 1;
    for (const [k, v] of pairs) this.line(`${this.color.dim((k ? `${k}:` : '').padEnd(width))} ${v}`);
  }

  /** A status word coloured by what it means. */
  status(s: string): string {
    if (s === 'running') return this.color.green(s);
    if (s === 'exited' || s === 'dead') return this.color.red(s);
    return this.color.yellow(s);
  }
}

/** Bytes as people read them: "1.2 MB". */
export function bytes(n: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let i = 0;
  for (; n >= 1000 && i < units.length - 1; i++) n /= 1000;
  return `${i === 0 ? n : n.toFixed(1)} ${units[i]}`;
}
