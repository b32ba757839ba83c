import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { stillFor } from './still.js';

describe('stillFor', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const watch = (state: { moved: number; enginesTurn: boolean }) => {
    const stalled = vi.fn();
    const stop = stillFor(1000, { moved: () => state.moved, enginesTurn: () => state.enginesTurn }, stalled);
    return { stalled, stop };
  };

  it('fails a transfer the engine keeps still for the whole deadline, once', () => {
    const { stalled } = watch({ moved: 5, enginesTurn: true });
    vi.advanceTimersByTime(999);
    expect(stalled).not.toHaveBeenCalled();
    vi.advanceTimersByTime(5000);
    expect(stalled).toHaveBeenCalledTimes(1);
  });

  it('counts from the last movement', () => {
    const state = { moved: 0, enginesTurn: true };
    const { stalled } = watch(state);
    for (let i = 0; i < 10; i++) {
      vi.advanceTimersByTime(750);
      state.moved += 1;
    }
    expect(stalled).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1250);
    expect(stalled).toHaveBeenCalledTimes(1);
  });

  it('leaves alone a transfer still because of its other side, and counts again once it is the engine’s turn', () => {
    const state = { moved: 0, enginesTurn: false };
    const { stalled } = watch(state);
    vi.advanceTimersByTime(60_000);
    expect(stalled).not.toHaveBeenCalled();
    state.enginesTurn = true;
    vi.advanceTimersByTime(750);
    expect(stalled).not.toHaveBeenCalled();
    vi.advanceTimersByTime(500);
    expect(stalled).toHaveBeenCalledTimes(1);
  });

  it('stops watching when told', () => {
    const { stalled, stop } = watch({ moved: 0, enginesTurn: true });
    stop();
    vi.advanceTimersByTime(10_000);
    expect(stalled).not.toHaveBeenCalled();
  });
});
