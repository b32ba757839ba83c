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

  it('are written in a given buffer when they surely fit, else in a new one', () => {
    const header = JSON.stringify({ jsonrpc: '2.0', method: 'exec.output', params: { execId: 'ü', stream: 'stdout', offset: 0, next: 3 } });
    const payload = new TextEncoder().encode('✓');
    const buffer = new Uint8Array(4 + header.length * 3 + payload.length);
    const frame = encodeFrame(header, payload, buffer);
    expect(frame.buffer).toBe(buffer.buffer);
    expect(decodeFrame(frame)).toEqual({ header, payload });
    const fresh = encodeFrame(header, payload, buffer.subarray(1));
    expect(fresh.buffer).not.toBe(buffer.buffer);
    expect(decodeFrame(fresh)).toEqual({ header, payload });
  });
});
