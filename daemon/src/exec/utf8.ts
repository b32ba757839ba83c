/**
 * Output is sent as text but addressed in bytes: a piece cut at an arbitrary byte would turn a
 * character split across two pieces into two replacement characters. While more output may come,
 * a piece is cut at the last complete character instead.
 */
export function completeUtf8Length(buf: Buffer): number {
  const n = buf.length;
  for (let i = n - 1; i >= Math.max(0, n - 3); i--) {
    const b = buf[i]!;
    if ((b & 0xc0) === 0x80) continue;
    const width = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return i + width > n ? i : n;
  }
  return n;
}
