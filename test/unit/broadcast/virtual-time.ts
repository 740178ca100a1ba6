// Virtual time for tests: sleep() parks a timer; run() advances the clock to the next timer only once the code under
// test has nothing else to do, so a minute of pacing takes milliseconds and timings are exact.
import type { Sleep } from '../../../src/core/broadcast/token-bucket.js';

interface Timer {
  due: number;
  seq: number;
  fire: () => void;
}

export class VirtualTime {
  now: number;
  private timers: Timer[] = [];
  private seq = 0;

  constructor(start = Date.parse('2024-07-01T00:00:00Z')) {
    this.now = start;
  }

  clock = (): number => this.now;

  sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const t: Timer = {
        due: this.now + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = () => {
        this.timers = this.timers.filter((x) => x !== t);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(t);
    });

  /** Drives `p` to completion, advancing time whenever everything else (and `busy`) is waiting on a timer. */
  async run<T>(p: Promise<T>, busy: () => boolean = () => false): Promise<T> {
    let settled = false;
    p.then(
      () => (settled = true),
      () => (settled = true),
    );
    let idle = 0;
    while (!settled) {
      // Let promises and file I/O (journal fsyncs) make progress first.
      for (let k = 0; k < 5 && !settled; k++) await new Promise<void>((r) => setImmediate(r));
      await new Promise<void>((r) => setTimeout(r, 0));
      // Real I/O (a journal fsync) takes no virtual time: wait for it before moving the clock.
      while (busy() && !settled) await new Promise<void>((r) => setTimeout(r, 1));
      if (settled) break;
      if (this.timers.length === 0) {
        if (++idle > 5000) throw new Error('virtual time: nothing to wait for and the promise never settles');
        continue;
      }
      idle = 0;
      this.timers.sort((a, b) => a.due - b.due || a.seq - b.seq);
      const t = this.timers.shift()!;
      this.now = Math.max(this.now, t.due);
      t.fire();
    }
    return p;
  }
}
