import { describe, expect, it } from 'vitest';
import { completeUtf8Length } from './utf8.js';

describe('completeUtf8Length', () => {
  it('keeps complete text whole', () => {
    for (const t of ['', 'abc', 'é', 'a€', 'x😀']) expect(completeUtf8Length(Buffer.from(t))).toBe(Buffer.byteLength(t));
  });

  it('stops before a character split at the end', () => {
    const b = Buffer.from('ab😀');
    for (let cut = 3; cut < b.length; cut++) expect(completeUtf8Length(b.subarray(0, cut))).toBe(2);
    expect(completeUtf8Length(Buffer.from('a€').subarray(0, 3))).toBe(1);
  });

  it('passes invalid bytes through rather than holding them back', () => {
    expect(completeUtf8Length(Buffer.from([0x61, 0x80, 0x80, 0x80]))).toBe(4);
  });
});
