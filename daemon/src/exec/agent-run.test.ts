import { AgentClient, Ev, Op, frame } from '@pocketdock/agent';
import { describe, expect, it } from 'vitest';
import type { Engine } from '../engine/index.js';
import { createLogger } from '../log.js';
import { AgentRun } from './agent-run.js';

/** The limits the daemon sent the agent in OP_FLOW frames, in order. */
function flows(sent: Buffer[]): number[] {
  return sent.filter((f) => f[0] === Op.flow.charCodeAt(0)).map((f) => Number(f.readBigUInt64LE(9)));
}

/** A command started through an agent whose stream is `sent`, allowed 1000 bytes of output. */
function started() {
  const sent: Buffer[] = [];
  const agent = new AgentClient((f) => sent.push(f));
  const run = AgentRun.start(agent, {
    engine: {} as Engine,
    containerId: 'c',
    argv: ['true'],
    sink: () => undefined,
    log: createLogger('silent'),
    room: 1000,
  });
  return { sent, agent, run };
}

describe('AgentRun flow control', () => {
  it('raises the limit at once by a step or more; a smaller raise waits for the agent to reach its limit', () => {
    const { sent, agent, run } = started();
    // 400 of the 1000 bytes allowed arrived, all sent on: room for 1000 past them is a raise of 400.
    agent.push(frame(Ev.stdout, 1, Buffer.alloc(400)));
    run.allow(1000, 500);
    expect(flows(sent)).toEqual([]);
    // The rest arrives: the agent is at its limit, and the raise goes.
    agent.push(frame(Ev.stdout, 1, Buffer.alloc(600)));
    run.allow(1000, 500);
    expect(flows(sent)).toEqual([2000]);
    // A raise of a step goes without waiting; none while the subscriber lags by the whole room.
    agent.push(frame(Ev.stdout, 1, Buffer.alloc(500)));
    run.allow(1000, 500);
    expect(flows(sent)).toEqual([2000, 2500]);
    run.allow(0, 500);
    expect(flows(sent)).toEqual([2000, 2500]);
  });
});

describe('AgentRun log', () => {
  it('names the command and its container once, whether or not the log it was given names them', () => {
    const lines: string[] = [];
    const log = createLogger('debug', { write: (line: string) => void lines.push(line) });
    const start = (given: typeof log) =>
      AgentRun.start(new AgentClient(() => undefined), {
        engine: {} as Engine,
        containerId: 'c',
        argv: ['true'],
        sink: () => undefined,
        log: given,
        id: 'e1',
      });
    start(log);
    start(log.child({ execId: 'e1', containerId: 'c' }));
    const started = lines.filter((l) => l.includes('exec started by the agent'));
    expect(started).toHaveLength(2);
    for (const line of started) expect(line.match(/"execId":"e1"/g)).toHaveLength(1);
  });
});
