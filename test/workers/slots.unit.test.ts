import { describe, expect, it } from 'vitest';
import { Slots } from '../../src/workers/slots.js';

describe('Slots', () => {
  it('runs at most `size` tasks at once, the waiting ones in arrival order, and frees a slot when a task throws', async () => {
    const slots = new Slots(2);
    const started: number[] = [];
    const finish = new Map<number, (fail?: boolean) => void>();
    const tasks = [0, 1, 2, 3].map((n) =>
      slots.run(
        () =>
          new Promise<number>((resolve, reject) => {
            started.push(n);
            finish.set(n, (fail) => (fail ? reject(new Error(`task ${n}`)) : resolve(n)));
          }),
      ),
    );
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(slots.busy).toBe(2);

    finish.get(1)!(true);
    await expect(tasks[1]).rejects.toThrow('task 1');
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2]);

    finish.get(0)!();
    finish.get(2)!();
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1, 2, 3]);
    finish.get(3)!();
    expect(await Promise.all([tasks[0], tasks[2], tasks[3]])).toEqual([0, 2, 3]);
    expect(slots.busy).toBe(0);
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new Slots(0)).toThrow(RangeError);
    expect(() => new Slots(1.5)).toThrow(RangeError);
  });
});
