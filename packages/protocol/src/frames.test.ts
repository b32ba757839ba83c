import { describe, expect, it } from 'vitest';
import { decodeFrame, encodeFrame } from './frames.js';

describe('binary frames', () => {
  it('carry a JSON header and raw bytes, all 256 values', () => {
    const payload = new Uint8Array(256).map((_, i) => i);
    const header = JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'file.uploadChunk', params: { uploadId: 'é', seq: 0 } });
    const frame = decodeFrame(encodeFrame(header, payload));
    expect(frame?.header).toBe(header);
    expect([...frame!.payload]).toEqual([...payload]);
  });

  it('read a frame inside a larger buffer and refuse truncated ones', () => {
    const inner = encodeFrame('{}', new Uint8Array([1, 2]));
    const outer = new Uint8Array(inner.length + 3);
    outer.set(inner, 3);
    expect(decodeFrame(outer.subarray(3))).toEqual({ header: '{}', payload: new Uint8Array([1, 2]) });
    expect(decodeFrame(inner.subarray(0, 5))).toBeUndefined();
    expect(decodeFrame(new Uint8Array(2))).toBeUndefined();
  });
});
