import { describe, expect, it } from 'vitest';
import { SentinelScanner, markText, type Mark, type Piece } from './sentinel.js';

const NONCE = 'a1b2c3d4e5f6a7b8';

/** Feeds `chunks` to an armed scanner; returns the data before the mark, the mark, and the data after it. */
function scan(chunks: (string | Buffer)[], nonce = NONCE): { before: string; mark: Mark | undefined; after: string } {
  const s = new SentinelScanner();
  s.arm(nonce);
  const pieces: Piece[] = chunks.flatMap((c) => s.push(Buffer.from(c)));
  let before = '',
    after = '',
    mark: Mark | undefined;
  for (const p of pieces) {
    if ('mark' in p) {
      expect(mark).toBeUndefined();
      mark = p.mark;
    } else if (mark) after += p.data.toString('latin1');
    else before += p.data.toString('latin1');
  }
  const held = s.flush().toString('latin1');
  if (mark) after += held;
  else before += held;
  return { before, mark, after };
}

/** Every way of cutting `text` in two, and in single bytes. */
function splits(text: string): string[][] {
  const out = [[text], [...text]];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

describe('SentinelScanner', () => {
  it('finds the mark after output with and without a trailing newline, split at every byte', () => {
    for (const output of ['hello\n', 'no newline', '', 'line1\nline2']) {
      const text = `${output}${markText(NONCE, '0')}`;
      for (const chunks of splits(text))
        expect(scan(chunks)).toEqual({ before: output, mark: { status: 0, shellExited: false }, after: '' });
    }
  });

  it('reads exit codes and a shell exit', () => {
    expect(scan([markText(NONCE, '127')]).mark).toEqual({ status: 127, shellExited: false });
    expect(scan([`bye${markText(NONCE, 'x3')}`])).toEqual({ before: 'bye', mark: { status: 3, shellExited: true }, after: '' });
  });

  it('passes on what follows the mark (output of a background job)', () => {
    const text = `out${markText(NONCE, '1')}late\n`;
    for (const chunks of splits(text))
      expect(scan(chunks)).toEqual({ before: 'out', mark: { status: 1, shellExited: false }, after: 'late\n' });
  });

  it('is not fooled by marks with another nonce, replayed marks or lookalikes', () => {
    const forged = [
      markText('ffffffffffffffff', '0'),
      markText(NONCE.slice(0, -1), '0'),
      `\x1ePD${NONCE}:\x1e`,
      `\x1ePD${NONCE}:12a\x1e`,
      `\x1ePD${NONCE}:1234567890123456\x1e`,
      `\x1ePD${NONCE}x0\x1e`,
      '\x1e\x1e\x1ePD',
    ].join('\n');
    const text = `${forged}${markText(NONCE, '0')}`;
    for (const chunks of splits(text)) expect(scan(chunks)).toEqual({ before: forged, mark: { status: 0, shellExited: false }, after: '' });
  });

  it('holds back only what may start the mark, and releases it when it does not', () => {
    const s = new SentinelScanner();
    s.arm(NONCE);
    expect(s.push(Buffer.from('abc\x1ePD'))).toEqual([{ data: Buffer.from('abc') }]);
    expect(s.push(Buffer.from('zz'))).toEqual([{ data: Buffer.from('\x1ePDzz') }]);
    expect(s.push(Buffer.from(`\x1ePD${NONCE}:4`))).toEqual([]);
    expect(s.flush().toString()).toBe(`\x1ePD${NONCE}:4`);
  });

  it('passes everything through when disarmed, and only one mark per arming', () => {
    const s = new SentinelScanner();
    const text = `${markText(NONCE, '0')}x`;
    expect(s.push(Buffer.from(text))).toEqual([{ data: Buffer.from(text) }]);
    s.arm(NONCE);
    const pieces = s.push(Buffer.from(`${markText(NONCE, '0')}${markText(NONCE, '5')}`));
    expect(pieces).toEqual([{ mark: { status: 0, shellExited: false } }, { data: Buffer.from(markText(NONCE, '5')) }]);
    expect(s.armed).toBe(false);
  });

  it('keeps binary and multi-byte output intact around the mark', () => {
    const out = Buffer.concat([Buffer.from('héllo ✓ '), Buffer.from([0, 0xff, 0x1e, 0x1e])]);
    const mark = Buffer.from(markText(NONCE, '0'));
    const all = Buffer.concat([out, mark]);
    for (let i = 0; i <= all.length; i++) {
      const s = new SentinelScanner();
      s.arm(NONCE);
      const pieces = [...s.push(all.subarray(0, i)), ...s.push(all.subarray(i))];
      const data = Buffer.concat(pieces.flatMap((p) => ('data' in p ? [p.data] : [])));
      expect(data.equals(out)).toBe(true);
      expect(pieces.at(-1)).toEqual({ mark: { status: 0, shellExited: false } });
    }
  });

  it('refuses a nonce that could not be told apart from output', () => {
    expect(() => new SentinelScanner().arm('a:b')).toThrow(RangeError);
  });
});
