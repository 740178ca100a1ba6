import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenBucket } from '../../../src/core/broadcast/token-bucket.js';
import { VirtualTime } from './virtual-time.js';

test('paces takes at exactly the rate, one consumer or several', async () => {
  for (const consumers of [1, 4]) {
    const vt = new VirtualTime();
    const bucket = new TokenBucket({ ratePerSec: 5, burst: 1, clock: vt.clock, sleep: vt.sleep });
    const start = vt.now;
    const times: number[] = [];
    const worker = async (n: number) => {
      for (let k = 0; k < n; k++) {
        assert.equal(await bucket.take(), true);
        times.push(vt.now - start);
      }
    };
    await vt.run(Promise.all(Array.from({ length: consumers }, () => worker(100 / consumers))));
    assert.equal(times.length, 100);
    times.sort((a, b) => a - b);
    assert.equal(times[0], 0, 'the first token is there at once');
    for (let k = 1; k < times.length; k++) assert.equal(times[k]! - times[k - 1]!, 200, `gap before take ${k} (${consumers} consumers)`);
    // 99 intervals at 5/s.
    assert.equal(times.at(-1), 19_800);
  }
});

test('saves up at most `burst` tokens while idle', async () => {
  const vt = new VirtualTime();
  const bucket = new TokenBucket({ ratePerSec: 2, burst: 3, clock: vt.clock, sleep: vt.sleep });
  vt.now += 60_000;
  const times: number[] = [];
  const t0 = vt.now;
  await vt.run(
    (async () => {
      for (let k = 0; k < 6; k++) {
        await bucket.take();
        times.push(vt.now - t0);
      }
    })(),
  );
  assert.deepEqual(times, [0, 0, 0, 500, 1000, 1500]);
});

test('slowDown honours Retry-After, halves the rate, then recovers step by step', async () => {
  const vt = new VirtualTime();
  const bucket = new TokenBucket({ ratePerSec: 4, burst: 1, clock: vt.clock, sleep: vt.sleep, recoverEveryMs: 10_000 });
  await vt.run(bucket.take());
  const t429 = vt.now;
  bucket.slowDown(7_000);
  assert.equal(bucket.rate, 2);
  await vt.run(bucket.take());
  assert.ok(vt.now - t429 >= 7_000, `next token ${vt.now - t429} ms after the 429, Retry-After was 7000`);
  const t1 = vt.now;
  await vt.run(bucket.take());
  assert.equal(vt.now - t1, 500, 'half rate after a 429');
  // Quiet for a long time: back to the configured rate, never above it.
  vt.now += 200_000;
  assert.equal(bucket.rate, 4);
  // Two 429s in a row halve twice; one quiet step adds a tenth of the configured rate.
  bucket.slowDown(0);
  bucket.slowDown(0);
  assert.equal(bucket.rate, 1);
  vt.now += 10_000;
  assert.equal(bucket.rate, 1.4);
});

test('take returns false when aborted while waiting', async () => {
  const vt = new VirtualTime();
  const bucket = new TokenBucket({ ratePerSec: 0.1, clock: vt.clock, sleep: vt.sleep });
  await vt.run(bucket.take());
  const ac = new AbortController();
  const waiting = bucket.take(ac.signal);
  ac.abort();
  assert.equal(await vt.run(waiting), false);
  assert.ok(vt.now < 10_000 + Date.parse('2024-07-01T00:00:00Z'));
});

test('rejects a rate that is not positive', () => {
  const vt = new VirtualTime();
  assert.throws(() => new TokenBucket({ ratePerSec: 0, clock: vt.clock, sleep: vt.sleep }), /rate must be a positive/);
});
