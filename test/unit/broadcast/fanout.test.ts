import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createJournal, openJournal, readPlan, replayJournal, type Journal, type PlanRecipient } from '../../../src/core/broadcast/journal.js';
import { runFanout, type FanoutOptions, type Progress } from '../../../src/core/broadcast/fanout.js';
import { FakeGateway, header, recipients, tempState, type Behaviour } from './fixtures.js';
import { VirtualTime } from './virtual-time.js';

type Opts = Partial<FanoutOptions<PlanRecipient>>;

// Every journal a test opens is closed at the end (close is idempotent).
const opened: Journal[] = [];
after(() => Promise.all(opened.map((j) => j.close())));
const track = (j: Journal): Journal => (opened.push(j), j);

async function setup(n: number, behaviour?: (req: number, r: PlanRecipient) => Behaviour, latencyMs = 300) {
  const vt = new VirtualTime();
  const dir = await tempState();
  const journal = track(await createJournal(dir, header('run'), recipients(n), { clock: vt.clock }));
  const gw = new FakeGateway(vt.sleep, vt.clock, latencyMs, behaviour);
  return { vt, dir, journal, gw };
}

function fanout(vt: VirtualTime, journal: Journal, gw: FakeGateway, extra: Opts = {}) {
  return vt.run(
    runFanout<PlanRecipient>({
      plan: () => readPlan(journal.planPath),
      journal,
      send: gw.send,
      reconcile: gw.reconcile,
      ratePerSec: 4,
      concurrency: 3,
      clock: vt.clock,
      sleep: vt.sleep,
      ...extra,
    }),
    () => !journal.idle,
  );
}

test('sends everyone exactly once, at the rate, never more than `concurrency` at a time', async () => {
  // Latency 2 s at 4/s: without a bound, 8 requests would overlap.
  const { vt, journal, gw } = await setup(60, undefined, 2000);
  const progress: Progress[] = [];
  const s = await fanout(vt, journal, gw, { plan: recipients(60), onProgress: (p) => progress.push(p) });
  assert.equal(gw.once(), 60);
  assert.equal(gw.maxInFlight, 3);
  assert.deepEqual([s.sent, s.failed, s.unknown, s.pending, s.stopReason, s.interrupted], [60, 0, 0, 0, 'done', false]);
  // Concurrency 3 × 2 s latency caps throughput at 1.5/s, below the bucket's 4/s.
  for (let k = 1; k < gw.sendTimes.length; k++) assert.ok(gw.sendTimes[k]! - gw.sendTimes[k - 1]! >= 250);
  const last = progress.at(-1)!;
  assert.equal(last.done, 60);
  assert.equal(last.etaMs, 0);
  const mid = progress.find((p) => p.done === 30)!;
  assert.ok(mid.ratePerSec > 1.3 && mid.ratePerSec < 1.7, `measured ${mid.ratePerSec}/s`);
  assert.ok(mid.etaMs! > 15_000 && mid.etaMs! < 25_000, `eta ${mid.etaMs}`);
  const r = await replayJournal(journal.path);
  assert.equal(r.states.count('sent'), 60);
});

test('the bucket, not concurrency, sets the pace when requests are fast', async () => {
  const { vt, journal, gw } = await setup(41, undefined, 50);
  const t0 = vt.now;
  await fanout(vt, journal, gw, { plan: recipients(41), concurrency: 8, ratePerSec: 2 });
  assert.equal(gw.once(), 41);
  assert.equal(gw.sendTimes[0], t0);
  // 40 intervals at 2/s, plus the last request's latency.
  assert.equal(gw.sendTimes.at(-1)! - gw.sendTimes[0]!, 20_000);
  assert.ok(Math.abs(vt.now - t0 - 20_050) <= 50, `took ${vt.now - t0} ms`);
});

test('a 429 slows down, waits for Retry-After and retries the same recipient without a double send', async () => {
  const { vt, journal, gw } = await setup(10, (req) => (req === 3 ? '429' : 'ok'));
  const s = await fanout(vt, journal, gw);
  assert.equal(gw.once(), 10);
  assert.equal(s.rateLimited, 1);
  assert.equal(s.sent, 10);
  const text = await readFile(journal.path, 'utf8');
  assert.match(text, /"s":"not-sent","at":"[^"]+","error":"rate limited \(429\)"/);
  // Nothing went out during the 5 s Retry-After.
  const gaps = gw.sendTimes.slice(1).map((t, k) => t - gw.sendTimes[k]!);
  assert.ok(Math.max(...gaps) >= 5000, `largest gap ${Math.max(...gaps)} ms`);
});

test('a recipient refused as transient on every attempt stops the run as transient', async () => {
  const { vt, journal, gw } = await setup(5, (req, r) => (r.i === 1 ? 'refused' : 'ok'));
  const s = await fanout(vt, journal, gw, { concurrency: 1, maxAttempts: 3 });
  assert.equal(s.stopReason, 'transient');
  assert.match(s.error!, /recipient 1 was still refused after 3 attempts: connect ECONNREFUSED/);
  assert.equal(gw.received.get(recipients(5)[1]!.phone), undefined);
  assert.equal(s.sent, 1, 'recipients after the failing one are not started');
  assert.equal(s.pending, 4);
});

test('a permanent rejection is journaled failed and not retried, now or on resume', async () => {
  const { vt, journal, gw } = await setup(4, (_req, r) => (r.i === 2 ? 'reject' : 'ok'));
  const s = await fanout(vt, journal, gw);
  assert.deepEqual([s.sent, s.failed, s.failedThisRun], [3, 1, 1]);
  await journal.close();
  const again = track(await openJournal(journal.path, { clock: vt.clock }));
  const before = gw.requests;
  const s2 = await fanout(vt, again, gw);
  assert.equal(gw.requests, before);
  assert.equal(s2.skippedAlreadyDone, 4);
  assert.equal(again.states.errors.get(2), 'recipient is not a WhatsApp number');
});

test('an unknown outcome is not resent in the run; the end-of-run reconcile finds it sent', async () => {
  const { vt, journal, gw } = await setup(8, (req) => (req === 2 ? 'lost-answer' : 'ok'));
  const s = await fanout(vt, journal, gw);
  assert.equal(gw.once(), 8);
  assert.equal(s.reconciledSent, 1);
  assert.deepEqual([s.sent, s.unknown], [8, 0]);
  assert.equal(gw.reconciled.length, 1);
  assert.match(await readFile(journal.path, 'utf8'), /"s":"sent","id":"msg-2","at":"[^"]+","via":"reconcile"/);
});

test('an unknown the server has no trace of stays unknown; resume reconciles it again and sends it once', async () => {
  const { vt, journal, gw } = await setup(6, (req) => (req === 1 ? 'lost-request' : 'ok'));
  const s = await fanout(vt, journal, gw);
  assert.deepEqual([s.sent, s.unknown, s.stopReason], [5, 1, 'done']);
  assert.equal(journal.states.get(1), 'unknown');
  await journal.close();

  const again = track(await openJournal(journal.path, { clock: vt.clock }));
  const s2 = await fanout(vt, again, gw);
  assert.deepEqual(gw.reconciled.at(-1), [1]);
  assert.equal(gw.once(), 6);
  assert.deepEqual([s2.sent, s2.unknown, s2.sentThisRun, s2.skippedAlreadyDone], [6, 0, 1, 5]);
});

test('resume reconciles recipients left `sending` by a crash before sending anyone else', async () => {
  const { vt, journal, gw } = await setup(6);
  const plan = recipients(6);
  // A crash after journaling `sending` for 0 and 1: the gateway got 0 but not 1.
  await journal.record({ i: 0, s: 'sending', at: journal.now() });
  await vt.run(gw.send(plan[0]!, new AbortController().signal));
  await journal.record({ i: 1, s: 'sending', at: journal.now() });
  await journal.close();

  const again = track(await openJournal(journal.path, { clock: vt.clock }));
  const order: number[] = [];
  const send = gw.send;
  const t0 = vt.now;
  const s = await fanout(vt, again, gw, {
    send: (r, sig) => {
      order.push(r.i);
      return send(r, sig);
    },
  });
  assert.deepEqual(gw.reconciled[0], [0, 1]);
  assert.ok(gw.sendTimes.length > 1 && gw.sendTimes[1]! - t0 >= 2000, 'waited the settle delay after the last journal write');
  assert.deepEqual(order, [1, 2, 3, 4, 5]);
  assert.equal(gw.once(), 6);
  assert.deepEqual([s.reconciledSent, s.sent], [1, 6]);
});

test('when reconciling fails nothing is sent', async () => {
  const { vt, journal, gw } = await setup(4);
  await journal.record({ i: 2, s: 'unknown', error: 'timeout', at: journal.now() });
  const s = await fanout(vt, journal, gw, {
    reconcile: async () => {
      throw new Error('GET /v1/messages answered 503');
    },
  });
  assert.equal(gw.requests, 0);
  assert.equal(s.stopReason, 'reconcile-failed');
  assert.match(s.error!, /could not check 1 recipient\(s\).*503/);
  assert.deepEqual([s.unknown, s.pending], [1, 3]);
});

test('several unknown outcomes in a row stop the run instead of piling up doubt', async () => {
  const { vt, journal, gw } = await setup(30, (req) => (req >= 4 ? 'lost-request' : 'ok'));
  const s = await fanout(vt, journal, gw, { concurrency: 1, maxUnknownStreak: 3 });
  assert.equal(s.stopReason, 'unknown-streak');
  assert.equal(gw.requests, 7);
  assert.deepEqual([s.sent, s.unknown, s.pending], [4, 3, 23]);
});

test('Ctrl-C stops new requests, journals those in flight, and a resume sends each recipient exactly once', async () => {
  const { vt, journal, gw } = await setup(40, undefined, 1500);
  const ac = new AbortController();
  const first = await fanout(vt, journal, gw, {
    signal: ac.signal,
    onProgress: (p) => {
      if (p.sent === 10) ac.abort();
    },
  });
  assert.equal(first.interrupted, true);
  assert.equal(first.stopReason, 'interrupted');
  assert.ok(first.sent >= 10 && first.sent < 40, `sent ${first.sent}`);
  assert.equal(first.unknown, 0, 'requests in flight were allowed to finish and were journaled');
  assert.equal(first.sent, gw.received.size);
  await journal.close();

  const again = track(await openJournal(journal.path, { clock: vt.clock }));
  const second = await fanout(vt, again, gw);
  assert.equal(second.skippedAlreadyDone, first.sent);
  assert.equal(second.sentThisRun, 40 - first.sent);
  assert.equal(gw.once(), 40);
});

test('after Ctrl-C a request that hangs is aborted at the drain deadline and left for reconciling', async () => {
  const vt = new VirtualTime();
  const dir = await tempState();
  const journal = track(await createJournal(dir, header('hang'), recipients(3), { clock: vt.clock }));
  const ac = new AbortController();
  let aborted = 0;
  const s = await vt.run(
    runFanout<PlanRecipient>({
      plan: recipients(3),
      journal,
      send: (_r, signal) =>
        new Promise((resolve) => {
          ac.abort();
          signal.addEventListener('abort', () => {
            aborted++;
            resolve({ kind: 'unknown', error: 'aborted' });
          });
        }),
      reconcile: async () => new Map(),
      ratePerSec: 1,
      concurrency: 1,
      clock: vt.clock,
      sleep: vt.sleep,
      signal: ac.signal,
      drainMs: 4000,
    }),
  );
  assert.equal(aborted, 1);
  assert.equal(s.interrupted, true);
  assert.deepEqual([s.unknown, s.pending], [1, 2]);
  assert.equal((await replayJournal(journal.path)).states.get(0), 'unknown');
});
