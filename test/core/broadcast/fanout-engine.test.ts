// The fan-out engine with virtual time and a fake server whose queue lists a message only some time after accepting
// it: what is sent, what is asked, when a recipient in doubt is sent again, what stops a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JournalWriteError, runFanout, type FanoutDeps } from '../../../src/core/broadcast/fanout-engine.js';
import type { Doubt, Look } from '../../../src/core/broadcast/fanout-doubts.js';
import { createRun } from '../../../src/core/runs/plan-write.js';
import { Journal } from '../../../src/core/runs/journal.js';
import { readPlan, type PlannedRecipient, type RunHeader } from '../../../src/core/runs/plan.js';
import { replay } from '../../../src/core/runs/state.js';
import type { SendOutcome } from '../../../src/providers/port.js';

const header = (total: number): RunHeader => ({ v: 1, runId: 'r1', createdAt: '2026-11-30T00:00:00.000Z', provider: 'konekwa', name: 'n', templateId: 't', templateName: 'promo', channelId: 's', idempotencyKey: 'k', total });
const people = (n: number): PlannedRecipient[] => Array.from({ length: n }, (_, i) => ({ i, row: i + 2, phone: `62812000000${String(i).padStart(2, '0')}`, name: `P${i}`, values: { name: `P${i}` }, text: `Halo P${i}` }));

/** A server that accepts messages and lists each `lagMs` after it was accepted. */
function fakeServer(now: () => number, lagMs: number) {
  const accepted: { i: number; id: string; at: number }[] = [];
  let n = 0;
  return {
    accepted,
    /** Accepts recipient i's message at `at` (default now); returns its id. */
    accept(i: number, at = now()): string {
      const id = `m${++n}`;
      accepted.push({ i, id, at });
      return id;
    },
    look: async (doubts: Doubt[]): Promise<Look> => {
      const listed = accepted.filter((m) => now() >= m.at + lagMs);
      const found = new Map<number, string>();
      for (const x of doubts) {
        const m = listed.find((l) => l.i === x.r.i && l.at >= x.from);
        if (m) found.set(x.r.i, m.id);
      }
      return { found, listed: new Set(listed.map((m) => m.id)) };
    },
    count: (i: number) => accepted.filter((m) => m.i === i).length,
  };
}

async function bed(n: number, lagMs = 3000) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-engine-'));
  const journal = await createRun(dir, header(n), people(n));
  let t = 0;
  const sends: { i: number; at: number }[] = [];
  const server = fakeServer(() => t, lagMs);
  const deps = (over: Partial<FanoutDeps> & { outcome?: (r: PlannedRecipient, attempt: number) => SendOutcome | Promise<SendOutcome> }): FanoutDeps => ({
    journal,
    plan: () => readPlan(journal.dir),
    send: async (r) => {
      sends.push({ i: r.i, at: t });
      return over.outcome ? over.outcome(r, sends.filter((x) => x.i === r.i).length) : { kind: 'sent', messageId: server.accept(r.i) };
    },
    look: server.look,
    rate: 10,
    concurrency: 2,
    now: () => t,
    sleep: async (ms) => void (t += ms),
    signal: new AbortController().signal,
    ...over,
  });
  const sent = (i: number) => sends.filter((x) => x.i === i);
  return { dir, journal, sends, sent, server, deps, time: () => t, close: () => rmSync(dir, { recursive: true, force: true }) };
}

test('engine: every recipient sent once, paced at the rate, all journaled as sent', async () => {
  const b = await bed(20);
  try {
    const s = await runFanout(b.deps({}));
    assert.deepEqual([s.sent, s.failed, s.unknown, s.notSent], [20, 0, 0, 0]);
    assert.deepEqual(b.sends.map((x) => x.i).sort((x, y) => x - y), [...Array(20).keys()]);
    // 10 per second with a burst of 2: the 20th leaves after about 1.8 s of virtual time.
    assert.ok(b.time() >= 1700 && b.time() <= 2000, `took ${b.time()} ms`);
    await b.journal.close();
    const state = await replay(b.journal.dir, 20);
    assert.equal(state.count('sent'), 20);
    assert.ok(state.trusted);
  } finally {
    b.close();
  }
});

test('engine: an answer lost after the server queued the message: not listed at first, found once listed, never sent again', async () => {
  const b = await bed(20);
  try {
    const s = await runFanout(
      b.deps({
        outcome: (r, attempt) => {
          const id = b.server.accept(r.i);
          return r.i === 3 && attempt === 1 ? { kind: 'unknown', error: 'socket hang up', answered: true } : { kind: 'sent', messageId: id };
        },
      }),
    );
    assert.deepEqual([s.sent, s.unknown, s.foundOnServer], [20, 0, 1]);
    assert.equal(b.sent(3).length, 1, 'not sent again while only waiting to be listed');
    assert.equal(b.server.count(3), 1);
    assert.ok(b.time() >= b.sent(3)[0]!.at + 3000, 'settled only once the listing could show it');
  } finally {
    b.close();
  }
});

test('engine: an answer lost before the server queued it: sent again once later messages of the session are listed and it is not', async () => {
  const b = await bed(20);
  try {
    const waits: { doubtful: number; untilMs: number }[] = [];
    const s = await runFanout(
      b.deps({
        onWait: (w) => waits.push(w),
        outcome: (r, attempt) => (r.i === 3 && attempt === 1 ? { kind: 'unknown', error: 'socket hang up', answered: true } : { kind: 'sent', messageId: b.server.accept(r.i) }),
      }),
    );
    assert.deepEqual([s.sent, s.unknown, s.notSent], [20, 0, 0]);
    const [first, again] = b.sent(3);
    assert.ok(again, 'sent again');
    assert.equal(b.server.count(3), 1, 'reached once');
    // The listing caught up past it (a later message listed 3 s after it was accepted, then a look that still missed it):
    // well inside the 60 s window.
    assert.ok(again.at - first!.at >= 3000 && again.at - first!.at < 60_000, `sent again after ${again.at - first!.at} ms`);
    assert.equal(waits.length, 1, 'the run said it was waiting');
    assert.equal(waits[0]!.doubtful, 1);
    assert.equal(waits[0]!.untilMs, first!.at + 60_000);
  } finally {
    b.close();
  }
});

test('engine: a request the server holds past the timeout and carries out at 40 s is never sent again, though later messages are listed', async () => {
  const b = await bed(20);
  try {
    const s = await runFanout(
      b.deps({
        outcome: (r, attempt) => {
          if (r.i === 3 && attempt === 1) {
            b.server.accept(3, b.time() + 40_000);
            return { kind: 'unknown', error: 'timed out after 30 s' };
          }
          return { kind: 'sent', messageId: b.server.accept(r.i) };
        },
      }),
    );
    assert.deepEqual([s.sent, s.foundOnServer], [20, 1]);
    assert.equal(b.sent(3).length, 1, 'waited past the later messages for its own window');
    assert.equal(b.server.count(3), 1);
  } finally {
    b.close();
  }
});

test('engine: a held request the server never carries out is sent again only once the settle window has passed', async () => {
  const b = await bed(6);
  try {
    const s = await runFanout(b.deps({ settleMs: 20_000, outcome: (r, attempt) => (r.i === 1 && attempt === 1 ? { kind: 'unknown', error: 'timed out' } : { kind: 'sent', messageId: b.server.accept(r.i) }) }));
    assert.equal(s.sent, 6);
    const [first, again] = b.sent(1);
    assert.ok(again!.at - first!.at >= 20_000, `sent again after ${again!.at - first!.at} ms`);
  } finally {
    b.close();
  }
});

test('engine: --no-wait ends with the recipient still in doubt, not sent again, and when its window ends', async () => {
  const b = await bed(6);
  try {
    const s = await runFanout(b.deps({ noWait: true, outcome: (r) => (r.i === 2 ? { kind: 'unknown', error: 'timed out' } : { kind: 'sent', messageId: b.server.accept(r.i) }) }));
    assert.deepEqual([s.sent, s.unknown, s.doubtful], [5, 1, 1]);
    assert.equal(b.sent(2).length, 1);
    assert.equal(s.settlesAt, b.sent(2)[0]!.at + 60_000);
  } finally {
    b.close();
  }
});

test('engine: a journal that lost its opening line is not trusted: nobody unsettled is sent before the listing shows who was', async () => {
  const b = await bed(6);
  try {
    await b.journal.close();
    writeFileSync(path.join(b.dir, 'runs', 'r1', 'journal.jsonl'), ''); // emptied
    const state = await replay(path.join(b.dir, 'runs', 'r1'), 6);
    assert.equal(state.trusted, false);
    const journal = await Journal.open(path.join(b.dir, 'runs', 'r1'), header(6), state);
    // 0-2 were sent by the run before; 2 only just, so it is not listed yet when the run is continued.
    b.server.accept(0, -10_000);
    b.server.accept(1, -10_000);
    b.server.accept(2, -1000);
    const s = await runFanout({ ...b.deps({ settleMs: 10_000, lastActivityAt: -1000, createdAt: -20_000 }), journal, plan: () => readPlan(journal.dir) });
    await journal.close();
    assert.deepEqual(b.sends.map((x) => x.i).sort(), [3, 4, 5], 'only those the server has no record of');
    assert.ok(b.sends.every((x) => x.at >= 9000), 'nothing sent before the window after the last write had passed');
    assert.deepEqual([s.sent, s.foundOnServer, s.checked], [6, 3, 6]);
  } finally {
    b.close();
  }
});

test('engine: a refusal every later send would meet stops the run; the rest stay not sent; a recipient refusal fails only that one', async () => {
  const b = await bed(10);
  try {
    const s = await runFanout(
      b.deps({
        concurrency: 1,
        outcome: (r) => (r.i === 1 ? { kind: 'rejected', error: 'invalid recipient' } : r.i === 4 ? { kind: 'stop', error: 'Session is not connected', maybeActed: false } : { kind: 'sent', messageId: `m${r.i}` }),
      }),
    );
    assert.equal(s.stopped, 'Session is not connected');
    assert.deepEqual([s.sent, s.failed, s.notSent, s.unknown], [3, 1, 6, 0]);
    assert.deepEqual(b.sends.map((x) => x.i), [0, 1, 2, 3, 4], 'nothing issued after the stop');
  } finally {
    b.close();
  }
});

test('engine: a failed journal write stops the run and nothing leaves without its "sending" on disk', async () => {
  const b = await bed(5);
  try {
    let writes = 0;
    const real = b.journal.append.bind(b.journal);
    b.journal.append = async (e, durable) => {
      if (++writes > 4) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC' });
      return real(e, durable);
    };
    await assert.rejects(runFanout(b.deps({ concurrency: 1 })), (err: unknown) => err instanceof JournalWriteError && /ENOSPC/.test(err.message));
    // sending+sent for 0 and 1, then the 5th write (sending of 2) failed: 2 was never sent.
    assert.deepEqual(b.sends.map((x) => x.i), [0, 1]);
  } finally {
    b.close();
  }
});

test('engine: Ctrl-C stops issuing but lets the requests in flight finish and journals them as sent', async () => {
  const b = await bed(8);
  try {
    const stop = new AbortController();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const s = await runFanout(
      b.deps({
        concurrency: 2,
        signal: stop.signal,
        drainMs: 5000,
        outcome: async (r) => {
          if (r.i === 1) {
            stop.abort(); // Ctrl-C while 0 and 1 are in flight
            setTimeout(release, 30);
          }
          if (r.i <= 1) await gate;
          return { kind: 'sent', messageId: `m${r.i}` };
        },
      }),
    );
    assert.equal(s.interrupted, true);
    assert.deepEqual([s.sent, s.unknown], [2, 0], 'the two in flight finished and were journaled');
    assert.deepEqual(b.sends.map((x) => x.i).sort(), [0, 1]);
  } finally {
    b.close();
  }
});

test('journal: a torn last line is ignored; a garbled line or an unknown state in the middle is damage, named by file and line', async () => {
  const b = await bed(3);
  try {
    await runFanout(b.deps({}));
    await b.journal.close();
    const file = path.join(b.dir, 'runs', 'r1', 'journal.jsonl');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, `${text}{"i":2,"s":"sen`);
    assert.ok((await replay(path.join(b.dir, 'runs', 'r1'), 3)).trusted, 'a torn last line is a crash, not damage');
    const lines = text.trimEnd().split('\n');
    lines.splice(2, 0, 'garbage', '{"i":1,"s":"teleported","at":"x"}');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const state = await replay(path.join(b.dir, 'runs', 'r1'), 3);
    assert.equal(state.trusted, false);
    assert.equal(state.damage.length, 2);
    assert.match(state.damage[0]!, /journal\.jsonl:3: /);
    assert.match(state.damage[1]!, /journal\.jsonl:4: no such recipient or state/);
  } finally {
    b.close();
  }
});

test('plan: a truncated or garbled plan is refused with the file and what is wrong', async () => {
  const b = await bed(4);
  try {
    await b.journal.close();
    const { checkPlan } = await import('../../../src/core/runs/plan.js');
    const dir = path.join(b.dir, 'runs', 'r1');
    const file = path.join(dir, 'plan.jsonl');
    await checkPlan(dir, 4);
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    writeFileSync(file, `${lines.slice(0, 3).join('\n')}\n`);
    await assert.rejects(checkPlan(dir, 4), /plan\.jsonl: it holds 2 of 4 recipients/);
    writeFileSync(file, `${lines[0]}\n${lines[1]}\n{"i":1,"ph\n`);
    await assert.rejects(checkPlan(dir, 4), /plan\.jsonl: line 3 is not a recipient/);
  } finally {
    b.close();
  }
});

test('engine: a continued run whose journal ends with its closing line sends the rest at once; one cut before it waits for the listing first', async () => {
  for (const cut of [false, true]) {
    const b = await bed(6);
    try {
      const first = await runFanout(b.deps({ outcome: (r) => (r.i < 3 ? { kind: 'sent', messageId: b.server.accept(r.i) } : { kind: 'stop', error: 'Session is not connected', maybeActed: false }), concurrency: 1 }));
      assert.deepEqual([first.sent, first.notSent], [3, 3]);
      await b.journal.close();
      const dir = path.join(b.dir, 'runs', 'r1');
      const file = path.join(dir, 'journal.jsonl');
      const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
      assert.ok(JSON.parse(lines.at(-1)!).closed, 'a run that ended in order wrote its closing line');
      if (cut) writeFileSync(file, `${lines.slice(0, -1).join('\n')}\n`);
      const state = await replay(dir, 6);
      const journal = await Journal.open(dir, header(6), state);
      const at = b.time();
      const before = b.sends.length;
      const s = await runFanout({ ...b.deps({ settleMs: 10_000, lastActivityAt: at, checkUnsettledFirst: true }), journal, plan: () => readPlan(dir) });
      await journal.close();
      assert.equal(s.sent, 6);
      const resent = b.sends.slice(before);
      assert.deepEqual(resent.map((x) => x.i).sort(), [3, 4, 5]);
      if (cut) assert.ok(resent.every((x) => x.at >= at + 10_000), 'nothing sent before the window after the last write');
      else assert.ok(resent.every((x) => x.at < at + 1000), 'sent at once');
    } finally {
      b.close();
    }
  }
});
