/**
 * A fixed number of slots shared by everything one process runs through it: `run` waits for a
 * free slot (first come, first served), holds it while `task` runs, and frees it however the
 * task ends.
 */
export class Slots {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`slots must be a positive integer, got ${size}`);
    this.free = size;
  }

  /** Tasks running right now. */
  get busy(): number {
    return this.size - this.free;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    // A freed slot passes straight to the next waiter, so `free` stays taken for us.
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    try {
      return await task();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}
