// AgentClient on a scripted agent (frames pushed by hand): commands of an earlier daemon hold what
// comes for them between the agent's list and adopt(), so nothing of it is lost to that moment.
import { describe, expect, it } from 'vitest';
import { AgentClient } from './client.js';
import { frame, u32 } from './codec.js';
import { Ev, LIVE_EXITED, LIVE_GONE, LIVE_STDIN } from './codes.js';

/** One EV_LIST record (frame.h). */
function record(id: number, flags: number, code: number, sent: bigint, execId: string): Buffer {
  const head = Buffer.alloc(20);
  head.writeUInt32LE(id, 0);
  head.writeUInt32LE(flags, 4);
  head.writeInt32LE(code, 8);
  head.writeBigUInt64LE(sent, 12);
  return Buffer.concat([head, Buffer.from(`${execId}\0`)]);
}

describe('AgentClient', () => {
  it("gives an adopted command what came for it since the list (output, exit, end), and new commands ids of their own", async () => {
    const sent: Buffer[] = [];
    const client = new AgentClient((data) => sent.push(data));
    const list = Buffer.concat([
      record(7, LIVE_STDIN, 0, 5n, 'shell'),
      record(3, LIVE_EXITED, 5, 0n, 'ended'),
      record(4, LIVE_EXITED | LIVE_GONE, 6, 9n, 'unheard'),
    ]);
    client.push(Buffer.concat([frame(Ev.ready, 0, Buffer.from('pocketdock-agent 1 x')), frame(Ev.list, 0, list)]));
    const living = await client.living;
    expect(living).toEqual([
      { id: 7, execId: 'shell', stdin: true, exitCode: undefined, gone: false, sent: 5 },
      { id: 3, execId: 'ended', stdin: false, exitCode: 5, gone: false, sent: 0 },
      { id: 4, execId: 'unheard', stdin: false, exitCode: 6, gone: true, sent: 9 },
    ]);
    // Before anyone adopts them: output, an exit and an end.
    client.push(Buffer.concat([frame(Ev.stdout, 7, Buffer.from('early ')), frame(Ev.exit, 7, u32(2)), frame(Ev.gone, 3)]));
    const got: string[] = [];
    const shell = client.adopt(living[0]!, (stream, data) => got.push(`${stream}:${data.toString()}`));
    client.push(frame(Ev.stderr, 7, Buffer.from('late')));
    expect(got).toEqual(['stdout:early ', 'stderr:late']);
    expect([await shell.exited, shell.dropped]).toEqual([2, 0]);
    const ended = client.adopt(living[1]!, () => undefined);
    expect(await ended.exited).toBe(5);
    await ended.gone;
    expect(() => client.adopt(living[1]!, () => undefined)).toThrow(/adopted already/);
    // One that ended while no daemon listened: its exit code, and its end.
    const unheard = client.adopt(living[2]!, () => undefined);
    expect(await unheard.exited).toBe(6);
    await unheard.gone;
    expect(client.spawn({ argv: ['true'], env: [], cwd: '', stdin: false }, () => undefined).id).toBe(8);
  });
});
