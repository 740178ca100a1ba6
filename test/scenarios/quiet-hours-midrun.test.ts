// Quiet hours reached while a marketing fan-out is under way, over real HTTP against the sandbox with an injected
// clock: issuing stops cleanly, the exit says when they end, and the same command continues after them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../helpers/cli.js';
import { testBed, type TestBed } from '../helpers/sandbox.js';
import { exactlyOnce, sendArgs, sheet } from '../helpers/fanout.js';

/** A clock that reads `startUtc` now and moves on in real time (the token bucket waits on it). */
function movingClock(startUtc: string): () => number {
  const offset = Date.parse(startUtc) - Date.now();
  return () => Date.now() + offset;
}

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);

/**
 * A clock that moves a minute with every message the sandbox accepts (and with real time), starting at `startUtc`.
 * Days in the past: the run's start stays before the server's message times, as on a real machine.
 */
function tickingClock(bed: TestBed, startUtc: string): () => number {
  const base = Date.parse(startUtc);
  const t0 = Date.now();
  const sent0 = bed.sandbox.state.konekwa.order.length;
  return () => base + (bed.sandbox.state.konekwa.order.length - sent0) * 60_000 + (Date.now() - t0);
}

test('a marketing fan-out that reaches quiet hours stops issuing, exits 1 saying when they end; the same command continues after them, exactly once', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const env = bed.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50' });
    bed.profile({ quietHours: '21:00-08:00', timeZone: 'Asia/Jakarta' });
    const n = 10;
    // One request at a time: the clock reads 20:57, 20:58, 20:59 as the first three go; then 21:00 in Jakarta.
    const args = sendArgs(sheet(bed, n), ['--rate', '500/s', '--concurrency', '1']);
    const first = await runCli(args, { env, init: { now: tickingClock(bed, `${day(-2)}T13:57:00Z`) } });
    assert.equal(first.code, 1, first.stderr);
    assert.equal(bed.sandbox.state.sendsByRecipient.size, 3, 'nothing issued once quiet hours began');
    assert.match(first.stderr, /Stopped: quiet hours \(21:00-08:00 Asia\/Jakarta\) began; 7 recipient\(s\) were not sent\./);
    assert.match(first.stderr, new RegExp(`They end at ${day(-1)} 08:00 Asia/Jakarta: run the same command again then \\(or \`wa-cli broadcast send --resume [\\w-]+\`\\)`));

    // Still inside: neither the same command nor --resume starts.
    const late = movingClock(`${day(-2)}T16:00:00Z`);
    const again = await runCli(args, { env, init: { now: late } });
    assert.equal(again.code, 1);
    assert.match(again.stderr, /quiet hours \(21:00-08:00 Asia\/Jakarta\) last until/);
    const runId = /--resume ([\w-]+)/.exec(first.stderr)![1]!;
    const resumed = await runCli(['-y', 'broadcast', 'send', '--resume', runId], { env, init: { now: late } });
    assert.equal(resumed.code, 1);
    assert.match(resumed.stderr, /quiet hours \(21:00-08:00 Asia\/Jakarta\) last until/);
    assert.equal(bed.sandbox.state.sendsByRecipient.size, 3);

    // 09:00 in Jakarta the next day: the same command sends exactly the rest.
    const morning = await runCli([...args, '--json'], { env, init: { now: movingClock(`${day(-1)}T02:00:00Z`) } });
    assert.equal(morning.code, 0, morning.stderr);
    assert.equal(JSON.parse(morning.stdout).sent, n);
    exactlyOnce(bed, n);
  } finally {
    await bed.close();
  }
});

test('--ignore-quiet-hours lets a fan-out run on into quiet hours; --json says when they end when a run stops there', async () => {
  const bed = await testBed({ konekwaRatePerSecond: 1000, konekwaBurst: 1000 });
  try {
    const env = bed.env('konekwa', { WA_RECONCILE_SETTLE_MS: '50' });
    bed.profile({ quietHours: '21:00-08:00', timeZone: 'Asia/Jakarta' });
    const n = 6;
    const on = await runCli([...sendArgs(sheet(bed, n), ['--rate', '500/s', '--concurrency', '1', '--ignore-quiet-hours']), '--json'], { env, init: { now: tickingClock(bed, `${day(-2)}T13:58:00Z`) } });
    assert.equal(on.code, 0, on.stderr);
    exactlyOnce(bed, n);

    const stopped = await runCli([...sendArgs(sheet(bed, n, '0815'), ['--rate', '500/s', '--concurrency', '1']), '--json'], { env: { ...env, TZ: 'Asia/Jakarta' }, init: { now: tickingClock(bed, `${day(-2)}T13:59:00Z`) } });
    assert.equal(stopped.code, 1, stopped.stderr);
    const out = JSON.parse(stopped.stdout);
    // 08:00 in Jakarta, written with its offset as every JSON time is.
    assert.equal(out.quietHoursEnd, `${day(-1)}T08:00:00+07:00`);
    assert.deepEqual([out.sent, out.notSent], [1, n - 1]);
  } finally {
    await bed.close();
  }
});
