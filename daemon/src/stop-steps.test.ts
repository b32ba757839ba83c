import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from './log.js';
import { StopSteps } from './stop-steps.js';

afterEach(() => {
  vi.useRealTimers();
});

function logged(): { lines: string[]; steps: StopSteps } {
  const lines: string[] = [];
  return { lines, steps: new StopSteps(createLogger('info', { write: (line: string) => void lines.push(line) })) };
}

describe('the steps of a stop', () => {
  it('names a step that takes longer than it is allowed, every few seconds while it waits, and stops naming it once done', async () => {
    vi.useFakeTimers();
    const { lines, steps } = logged();
    let finish!: () => void;
    const done = steps.run('connections', () => new Promise<void>((r) => (finish = r)), 1_000);
    await vi.advanceTimersByTimeAsync(5_999);
    expect(lines).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ step: 'connections', msg: 'stopping: still waiting on this step' });
    await vi.advanceTimersByTimeAsync(6_000);
    expect(lines).toHaveLength(2);
    finish();
    await done;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lines).toHaveLength(2);
  });

  it('hands back what the step gives, and its failure', async () => {
    const { steps } = logged();
    expect(await steps.run('network', async () => 7)).toBe(7);
    await expect(steps.run('socket', () => Promise.reject(new Error('gone')))).rejects.toThrow('gone');
  });
});
