import { describe, expect, it } from 'vitest';
import { Demuxer, type StreamId } from './demux.js';

const frame = (stream: 1 | 2, text: string) => {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
};

function collect(chunks: Buffer[]): Record<StreamId, string> {
  const out: Record<StreamId, string> = { stdout: '', stderr: '' };
  const d = new Demuxer((s, data) => {
    out[s] += data.toString();
  });
  for (const c of chunks) d.push(c);
  d.end();
  return out;
}

describe('Demuxer', () => {
  it('splits framed output into stdout and stderr', () => {
    expect(collect([Buffer.concat([frame(1, 'out1 '), frame(2, 'err'), frame(1, 'out2')])])).toEqual({
      stdout: 'out1 out2',
      stderr: 'err',
    });
  });

  it('reassembles headers and bodies cut at every byte boundary', () => {
    const all = Buffer.concat([frame(1, 'hello'), frame(2, 'world!'), frame(1, '')]);
    for (let cut = 1; cut < all.length; cut++) {
      expect(collect([all.subarray(0, cut), all.subarray(cut)])).toEqual({ stdout: 'hello', stderr: 'world!' });
    }
    expect(collect([...all].map((b) => Buffer.from([b])))).toEqual({ stdout: 'hello', stderr: 'world!' });
  });

  it('passes a raw (Podman, unframed) stream through as stdout, even under 8 bytes', () => {
    expect(collect([Buffer.from('plain text output')])).toEqual({ stdout: 'plain text output', stderr: '' });
    expect(collect([Buffer.from('hi\n')])).toEqual({ stdout: 'hi\n', stderr: '' });
  });
});
