import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from '../../../src/core/broadcast/token-bucket.js';

function fakeClock(lateness = 0) {
  let t = 0;
  return { now: () => t, sleep: async (ms: number) => void (t += ms + lateness) };
}

test('token bucket: the long-run rate is the set rate, even with late timers', async () => {
  for (const lateness of [0, 1, 3]) {
    const c = fakeClock(lateness);
    const b = new TokenBucket(100, 2, c.now, c.sleep);
    const times: number[] = [];
    for (let i = 0; i < 1000; i++) {
      await b.take();
      times.push(c.now());
    }
    const rate = (999 / (times.at(-1)! - times[0]!)) * 1000;
    assert.ok(rate > 95 && rate <= 100.5, `rate ${rate} with ${lateness} ms lateness`);
    // Never more than the burst (2) within one interval.
    for (let i = 2; i < times.length; i++) assert.ok(times[i]! - times[i - 2]! >= 10 - 1e-9, `three within 10 ms at ${i}`);
  }
});

test('token bucket: a 429 halves the pace and pauses as long as asked; quiet brings it back', async () => {
  const c = fakeClock();
  const b = new TokenBucket(10, 1, c.now, c.sleep);
  await b.take();
  b.slowDown(3000);
  assert.equal(b.rate, 5);
  const before = c.now();
  await b.take();
  assert.ok(c.now() - before >= 3000, 'paused for Retry-After');
  for (let i = 0; i < 200; i++) b.succeeded();
  assert.equal(b.rate, 10);
});

test('token bucket: it starts with one token, so the first two sends are a whole interval apart even with a burst of 2', async () => {
  const c = fakeClock();
  const b = new TokenBucket(1, 2, c.now, c.sleep);
  await b.take();
  const first = c.now();
  await b.take();
  assert.ok(c.now() - first >= 1000, `second send ${c.now() - first} ms after the first`);
});
