import { AgentClient, Ev, Op, frame } from '@pocketdock/agent';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Engine } from '../engine/index.js';
import { createLogger } from '../log.js';
import { AgentRun } from './agent-run.js';

/** The limits the daemon sent the agent in OP_FLOW frames, in order. */
function flows(sent: Buffer[]): number[] {
  return sent.filter((f) => f[0] === Op.flow.charCodeAt(0)).map((f) => Number(f.readBigUInt64LE(9)));
}

/** A command started through an agent whose stream is `sent`, allowed 1000 bytes of output. */
function started() {
  vi.useFakeTimers();
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
  afterEach(() => vi.useRealTimers());

  it('raises a held-back limit once output stops: the engine may hold what the agent sent until more comes', () => {
    const { sent, agent, run } = started();
    // The agent sent its 1000 bytes; 600 of them are still in the engine.
    agent.push(frame(Ev.stdout, 1, Buffer.alloc(400)));
    // Everything that arrived went on: room for half a ring (1000) past it, in steps of 500.
    run.allow(1000, 500, 0);
    expect(flows(sent)).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(flows(sent)).toEqual([1400]);
  });

  it('raises into the reserve when output stops with the whole window in flight', () => {
    const { sent, run } = started();
    // The agent sent its 1000 bytes and the engine holds all of them: room for half a ring (1000)
    // past what arrived is no raise; the other half (the reserve) is.
    run.allow(1000, 500, 1000);
    expect(flows(sent)).toEqual([]);
    vi.advanceTimersByTime(100);
    expect(flows(sent)).toEqual([2000]);
  });

  it('raises into the reserve when output stops right after a raise', () => {
    const { sent, agent, run } = started();
    agent.push(frame(Ev.stdout, 1, Buffer.alloc(600)));
    run.allow(1000, 500, 1000);
    expect(flows(sent)).toEqual([1600]);
    // The engine holds all the agent sends from now on.
    vi.advanceTimersByTime(100);
    expect(flows(sent)).toEqual([1600, 2600]);
  });

  it('sends no extra raise while output keeps coming', () => {
    const { sent, agent, run } = started();
    agent.push(frame(Ev.stdout, 1, Buffer.alloc(400)));
    run.allow(1000, 500, 0);
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(10);
      agent.push(frame(Ev.stdout, 1, Buffer.alloc(100)));
    }
    // The agent reached its limit: the usual raise, and nothing else.
    run.allow(1000, 500, 0);
    vi.advanceTimersByTime(100);
    expect(flows(sent)).toEqual([1900]);
  });
});
