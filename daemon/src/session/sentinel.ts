/**
 * The end-of-command mark a session's shell prints on stdout and on stderr after each command:
 * RS "PD" nonce ":" status RS (RS = 0x1e), status being the exit code, or "x" and the shell's exit
 * code when the command ended the shell. The nonce is fresh per command and only the scanner armed
 * with it ends the command, so output cannot end a command early — neither text that looks like a
 * mark nor an earlier command's marks replayed (`cat` of a session log). A mark may start anywhere:
 * output without a trailing newline runs straight into it.
 */
export interface Mark {
  status: number;
  /** The shell itself exited (`exit`), with `status`. */
  shellExited: boolean;
}

export type Piece = { data: Buffer } | { mark: Mark };

const RS = 0x1e;
/** Longest status field: "x" and a 32-bit integer. */
const MAX_STATUS = 12;
const NONCE = /^[A-Za-z0-9]{8,64}$/;

/** The mark's bytes as the shell prints them (for tests and the shell script's format). */
export const markText = (nonce: string, status: string): string => `\x1ePD${nonce}:${status}\x1e`;

/**
 * One output stream's scanner. While armed with a nonce it splits what it is fed into the bytes
 * before the mark, the mark, and the bytes after it; it holds back a tail that could be the start of
 * the mark until the next chunk decides. Disarmed, it passes everything through.
 */
export class SentinelScanner {
  private prefix: Buffer | undefined;
  private held: Buffer = Buffer.alloc(0);

  arm(nonce: string): void {
    if (!NONCE.test(nonce)) throw new RangeError(`sentinel nonce must be 8-64 alphanumerics, got "${nonce}"`);
    this.prefix = Buffer.from(markText(nonce, '').slice(0, -1));
  }

  get armed(): boolean {
    return this.prefix !== undefined;
  }

  push(chunk: Buffer): Piece[] {
    const buf = this.held.length ? Buffer.concat([this.held, chunk]) : chunk;
    this.held = Buffer.alloc(0);
    const pieces: Piece[] = [];
    const data = (b: Buffer) => {
      if (b.length) pieces.push({ data: b });
    };
    let from = 0;
    for (let at = 0; this.prefix;) {
      const i = buf.indexOf(this.prefix, at);
      if (i < 0) {
        const keep = partialPrefix(buf, Math.max(at, from), this.prefix);
        data(buf.subarray(from, buf.length - keep));
        this.held = Buffer.from(buf.subarray(buf.length - keep));
        return pieces;
      }
      const status = readStatus(buf, i + this.prefix.length);
      if (status === 'invalid') {
        at = i + 1;
        continue;
      }
      if (status === 'incomplete') {
        data(buf.subarray(from, i));
        this.held = Buffer.from(buf.subarray(i));
        return pieces;
      }
      data(buf.subarray(from, i));
      pieces.push({ mark: status.mark });
      from = status.end;
      this.prefix = undefined;
    }
    data(buf.subarray(from));
    return pieces;
  }

  /** Disarms and returns what was held back (the stream ended before a mark could complete). */
  flush(): Buffer {
    const held = this.held;
    this.held = Buffer.alloc(0);
    this.prefix = undefined;
    return held;
  }
}

/** Length of the longest tail of buf[from..] that is a proper prefix of `prefix`. */
function partialPrefix(buf: Buffer, from: number, prefix: Buffer): number {
  for (let n = Math.min(prefix.length - 1, buf.length - from); n > 0; n--) {
    if (buf.subarray(buf.length - n).equals(prefix.subarray(0, n))) return n;
  }
  return 0;
}

function readStatus(buf: Buffer, start: number): { mark: Mark; end: number } | 'invalid' | 'incomplete' {
  let i = start;
  const shellExited = buf[i] === 0x78; // "x"
  if (shellExited) i++;
  const digits = i;
  for (; i < buf.length && i - start <= MAX_STATUS; i++) {
    const c = buf[i]!;
    if (c === RS) {
      if (i === digits) return 'invalid';
      return { mark: { status: Number(buf.toString('latin1', digits, i)), shellExited }, end: i + 1 };
    }
    if (c < 0x30 || c > 0x39) return 'invalid';
  }
  return i - start > MAX_STATUS ? 'invalid' : 'incomplete';
}
