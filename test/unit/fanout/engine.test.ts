// The fan-out engine with virtual time and a fake server: what is sent, what is asked, what stops a run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { JournalWriteError, runFanout, type FanoutDeps, type Reconciled } from '../../../src/core/fanout/engine.js';
import { createRun, Journal, readPlan, replay, type PlannedRecipient, type RunHeader } from '../../../src/core/fanout/journal.js';
import type { SendOutcome } from '../../../src/providers/port.js';

const header = (total: number): RunHeader => ({ v: 1, runId: 'r1', createdAt: '2026-11-30T00:00:00.000Z', provider: 'konekwa', name: 'n', templateId: 't', templateName: 'promo', channelId: 's', idempotencyKey: 'k', total });
const people = (n: number): PlannedRecipient[] => Array.from({ length: n }, (_, i) => ({ i, row: i + 2, phone: `62812000000${String(i).padStart(2, '0')}`, name: `P${i}`, values: { name: `P${i}` }, text: `Halo P${i}` }));

async function bed(n: number) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-engine-'));
  const journal = await createRun(dir, header(n), people(n));
  let t = 0;
  const sends: number[] = [];
  const deps = (over: Partial<FanoutDeps> & { outcome?: (r: PlannedRecipient, attempt: number) => SendOutcome | Promise<SendOutcome> }): FanoutDeps => ({
    journal,
    plan: () => readPlan(journal.dir),
    send: async (r) => {
      sends.push(r.i);
      return over.outcome ? over.outcome(r, sends.filter((x) => x === r.i).length) : { kind: 'sent', messageId: `m${r.i}` };
    },
    reconcile: async (rs) => new Map(rs.map((r) => [r.i, { found: false } as Reconciled])),
    rate: 10,
    concurrency: 2,
    now: () => t,
    sleep: async (ms) => void (t += ms),
    signal: new AbortController().signal,
    settleMs: 100,
    ...over,
  });
  return { dir, journal, sends, deps, time: () => t, close: () => rmSync(dir, { recursive: true, force: true }) };
}

test('engine: every recipient sent once, paced at the rate, all journaled as sent', async () => {
  const b = await bed(20);
  try {
    const s = await runFanout(b.deps({}));
    assert.deepEqual([s.sent, s.failed, s.unknown, s.notSent], [20, 0, 0, 0]);
    assert.deepEqual([...b.sends].sort((x, y) => x - y), [...Array(20).keys()]);
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

test('engine: an unknown outcome is asked about; found means sent (no resend), not found means sent again once', async () => {
  const b = await bed(4);
  try {
    const asked: number[][] = [];
    const s = await runFanout(
      b.deps({
        outcome: (r, attempt) => (attempt === 1 && r.i < 2 ? { kind: 'unknown', error: 'dropped' } : { kind: 'sent', messageId: `m${r.i}` }),
        reconcile: async (rs) => {
          asked.push(rs.map((r) => r.i).sort((a, b) => a - b));
          return new Map(rs.map((r) => [r.i, r.i === 0 ? { found: true, messageId: 'server-0' } : { found: false }] as [number, Reconciled]));
        },
      }),
    );
    assert.deepEqual(asked, [[0, 1]]);
    assert.deepEqual([s.sent, s.unknown, s.foundOnServer], [4, 0, 1]);
    assert.equal(b.sends.filter((i) => i === 0).length, 1, 'found on the server: not sent again');
    assert.equal(b.sends.filter((i) => i === 1).length, 2, 'not found: sent again');
    // A sending run keeps message ids in its journal, not in memory: read back, the id is the server's.
    assert.equal(b.journal.state.messageIds.size, 0);
    await b.journal.close();
    assert.equal((await replay(b.journal.dir, 4)).messageIds.get(0), 'server-0');
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
    assert.deepEqual(b.sends, [0, 1, 2, 3, 4], 'nothing issued after the stop');
  } finally {
    b.close();
  }
});

test('engine: a journal that lost its opening line is not trusted: every unsettled recipient is asked before any send', async () => {
  const b = await bed(6);
  try {
    await b.journal.close();
    writeFileSync(path.join(b.dir, 'runs', 'r1', 'journal.jsonl'), ''); // emptied
    const state = await replay(path.join(b.dir, 'runs', 'r1'), 6);
    assert.equal(state.trusted, false);
    const journal = await Journal.open(path.join(b.dir, 'runs', 'r1'), header(6), state);
    const asked: number[] = [];
    const s = await runFanout({
      ...b.deps({}),
      journal,
      plan: () => readPlan(journal.dir),
      reconcile: async (rs) => {
        asked.push(...rs.map((r) => r.i));
        return new Map(rs.map((r) => [r.i, r.i < 3 ? { found: true, messageId: `old${r.i}` } : { found: false }] as [number, Reconciled]));
      },
    });
    await journal.close();
    assert.deepEqual(asked, [0, 1, 2, 3, 4, 5]);
    assert.deepEqual([...b.sends].sort(), [3, 4, 5], 'only those the server has no record of');
    assert.deepEqual([s.sent, s.foundOnServer, s.checked], [6, 3, 6]);
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
    assert.deepEqual(b.sends, [0, 1]);
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
    assert.deepEqual([...b.sends].sort(), [0, 1]);
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
    const { checkPlan } = await import('../../../src/core/fanout/journal.js');
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
