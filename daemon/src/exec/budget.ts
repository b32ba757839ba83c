/**
 * The daemon-wide allowance for exec output held in memory (Limits.maxBufferedBytes). Rings and
 * blocking runs' results take bytes as they really grow and give them back when their exec is
 * forgotten: nothing is booked ahead, so a quiet exec costs nothing and many can run at once. When
 * the allowance is spent, a ring stops growing (older output is evicted sooner, reported as lost) and
 * a run keeps no more (its result says truncated): memory stays bounded whatever the commands print.
 */
export class BufferBudget {
  private held = 0;
  private readonly givers: ((bytes: number) => void)[] = [];

  constructor(readonly max: number) {}

  /** Bytes held now. */
  get used(): number {
    return this.held;
  }

  /** Takes `n` bytes if they fit; false (nothing taken) if not. */
  take(n: number): boolean {
    if (this.held + n > this.max) return false;
    this.held += n;
    return true;
  }

  give(n: number): void {
    this.held -= n;
    for (const fn of this.givers) fn(n);
  }

  /** Calls `fn` with the bytes of each give: memory nothing uses any more, for a collection to take back. */
  onGive(fn: (bytes: number) => void): void {
    this.givers.push(fn);
  }
}
