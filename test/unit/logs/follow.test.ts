import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogEntry, LogStatus } from '../../../src/core/logs/entry.js';
import { followLog, nextInterval, LogPagingError, type FollowOptions } from '../../../src/core/logs/follow.js';
import type { LogEvent } from '../../../src/core/logs/format.js';

type Pass = [id: string, status: LogStatus, error?: string][];

const entry = ([id, status, error]: Pass[number]): LogEntry => ({ id, phone: `62${id}`, status, ...(error ? { error } : {}) });

/** Serves scripted passes two entries per page; the last pass repeats forever. */
function scripted(passes: Pass[], pageSize = 2) {
  let pass = 0;
  const fetchPage = async (cursor: number | null) => {
    const rows = passes[Math.min(pass, passes.length - 1)]!;
    const start = cursor ?? 0;
    const next = start + pageSize < rows.length ? start + pageSize : null;
    if (next === null) pass++;
    return { entries: rows.slice(start, start + pageSize).map(entry), next };
  };
  return { fetchPage, passesServed: () => pass };
}

function harness(over: Partial<FollowOptions<number>> & Pick<FollowOptions<number>, 'fetchPage'>) {
  const events: LogEvent[] = [];
  const sleeps: number[] = [];
  const controller = new AbortController();
  let now = 1_700_000_000_000;
  const opts: FollowOptions<number> = {
    isDone: async () => true,
    follow: true,
    untilDone: true,
    intervalMs: 5_000,
    maxIntervalMs: 20_000,
    clock: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    signal: controller.signal,
    onEvent: (e) => events.push(e),
    ...over,
  };
  return { opts, events, sleeps, controller };
}

const describe = (e: LogEvent) => (e.kind === 'new' ? `${e.entry.id} new ${e.entry.status}` : `${e.entry.id} ${e.from}->${e.to}`);

test('each new entry and each forward change is reported once; a stale older status is ignored', async () => {
  const src = scripted([
    [['a', 'pending'], ['b', 'pending'], ['c', 'sent']],
    // c is seen twice in one pass: once current (delivered), once from a stale page (sent).
    [['a', 'sent'], ['c', 'delivered'], ['b', 'failed', 'Message undeliverable'], ['c', 'sent']],
    [['a', 'sent'], ['b', 'failed', 'Message undeliverable'], ['c', 'delivered']],
    // a regresses to pending on a stale read: ignored.
    [['a', 'pending'], ['b', 'failed', 'Message undeliverable'], ['c', 'read']],
    [['a', 'read'], ['b', 'failed', 'Message undeliverable'], ['c', 'read']],
  ]);
  // The broadcast reports done once the fifth pass has been served.
  const h = harness({ fetchPage: src.fetchPage, isDone: async () => src.passesServed() >= 5 });
  const r = await followLog(h.opts);
  assert.deepEqual(h.events.map(describe), ['a new pending', 'b new pending', 'c new sent', 'a pending->sent', 'c sent->delivered', 'b pending->failed', 'c delivered->read', 'a sent->read']);
  assert.equal(r.passes, 5);
  assert.equal(r.tracked, 3);
  assert.equal(r.interrupted, false);
  assert.deepEqual(r.summary.counts, { pending: 0, sent: 0, delivered: 0, read: 2, failed: 1 });
  assert.deepEqual(r.summary.reasons(), [{ reason: 'Message undeliverable', count: 1 }]);
  // Events carry the clock's time.
  assert.equal(h.events[0]!.seenAt, new Date(1_700_000_000_000).toISOString());
});

test('until-done: isDone is asked only once nothing is pending, and the follow stops when it says yes', async () => {
  const src = scripted([[['a', 'pending']], [['a', 'sent']], [['a', 'sent']], [['a', 'delivered']]]);
  let asked = 0;
  const h = harness({
    fetchPage: src.fetchPage,
    isDone: async () => ++asked >= 3,
  });
  const r = await followLog(h.opts);
  // Pass 1: pending, not asked. Passes 2, 3: asked, not done. Pass 4: asked, done.
  assert.equal(asked, 3);
  assert.equal(r.passes, 4);
  assert.equal(h.sleeps.length, 3);
  assert.deepEqual(r.summary.counts, { pending: 0, sent: 0, delivered: 1, read: 0, failed: 0 });
});

test('without follow, one pass and no pause', async () => {
  const src = scripted([[['a', 'pending'], ['b', 'sent'], ['c', 'read']], [['a', 'read'], ['b', 'read'], ['c', 'read']]]);
  const h = harness({ fetchPage: src.fetchPage, follow: false, untilDone: false });
  const r = await followLog(h.opts);
  assert.equal(r.passes, 1);
  assert.equal(src.passesServed(), 1);
  assert.deepEqual(h.sleeps, []);
  assert.equal(h.events.length, 3);
});

test('the pause grows ×1.5 while passes bring nothing new, is capped, and resets when something changes', async () => {
  const quiet: Pass = [['a', 'pending']];
  const src = scripted([quiet, quiet, quiet, quiet, quiet, quiet, [['a', 'sent']], [['a', 'sent']], [['a', 'delivered']]]);
  let stopAfter = 8;
  const h = harness({ fetchPage: src.fetchPage, untilDone: false });
  h.opts.sleep = async (ms) => {
    h.sleeps.push(ms);
    if (--stopAfter === 0) h.controller.abort();
  };
  const r = await followLog(h.opts);
  // After pass 1 (a change): base. Passes 2-6 quiet: 7500, 11250, 16875, then capped at 20000. Pass 7 changes: base.
  // Pass 8 quiet: 7500.
  assert.deepEqual(h.sleeps, [5000, 7500, 11250, 16875, 20000, 20000, 5000, 7500]);
  assert.equal(r.interrupted, true);
  assert.equal(nextInterval(5000, false, 5000, 60000), 7500);
  assert.equal(nextInterval(50000, false, 5000, 60000), 60000);
  assert.equal(nextInterval(50000, true, 5000, 60000), 5000);
});

test('abort during the pause returns at once with interrupted, even when the sleeper rejects', async () => {
  const src = scripted([[['a', 'pending']]]);
  const h = harness({ fetchPage: src.fetchPage });
  h.opts.sleep = (_ms, signal) =>
    new Promise((_, reject) => {
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      setImmediate(() => h.controller.abort());
    });
  const r = await followLog(h.opts);
  assert.equal(r.interrupted, true);
  assert.equal(r.passes, 1);
  assert.deepEqual(r.summary.counts, { pending: 1, sent: 0, delivered: 0, read: 0, failed: 0 });
});

test('abort while a page is being fetched: interrupted, not an error; other fetch errors propagate', async () => {
  const controller = new AbortController();
  const h = harness({
    signal: controller.signal,
    fetchPage: async () => {
      controller.abort();
      throw new Error('request aborted');
    },
  });
  const r = await followLog(h.opts);
  assert.equal(r.interrupted, true);
  assert.equal(r.passes, 0);

  const h2 = harness({ fetchPage: async () => Promise.reject(new Error('HTTP 500 from the API')) });
  await assert.rejects(followLog(h2.opts), /HTTP 500 from the API/);
});

test('a cursor repeated within one pass is reported instead of looping forever', async () => {
  let calls = 0;
  const h = harness({
    fetchPage: async (c) => {
      calls++;
      return { entries: [entry([`x${calls}`, 'sent'])], next: c === null ? 7 : 7 };
    },
  });
  await assert.rejects(followLog(h.opts), (err: unknown) => err instanceof LogPagingError && /cursor 7 twice/.test(err.message));
  assert.equal(calls, 2);
});

test('a sleeper failing for another reason than abort is not turned into polling without a pause', async () => {
  const src = scripted([[['a', 'pending']]]);
  const h = harness({ fetchPage: src.fetchPage, sleep: async () => Promise.reject(new Error('timer broke')) });
  await assert.rejects(followLog(h.opts), /timer broke/);
  assert.equal(src.passesServed(), 1);
});
