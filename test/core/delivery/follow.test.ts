import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { LogEntry } from '../../../src/providers/port.js';
import { SeenIds, followLog, type LogEvent } from '../../../src/core/delivery/follow.js';
import { TransportError } from '../../../src/providers/errors.js';

function scripted(passes: Record<string, LogEntry['status']>[]) {
  let pass = 0;
  return {
    fetchPage: async (cursor: string | null) => {
      const all = Object.entries(passes[Math.min(pass, passes.length - 1)]!).map(([id, status]) => ({ id, phone: id, name: id, status, ...(status === 'failed' ? { error: 'Message undeliverable' } : {}) }));
      if (cursor === null) return { entries: all.slice(0, 2), next: all.length > 2 ? 'p2' : null };
      pass++;
      return { entries: all.slice(2), next: null };
    },
    get pass() {
      return pass;
    },
  };
}

test('follow: each new entry and each change once; regressions from a stale page ignored; stops when done', async () => {
  const src = scripted([
    { a: 'pending', b: 'pending', c: 'pending' },
    { a: 'sent', b: 'pending', c: 'failed' },
    { a: 'sent', b: 'pending', c: 'failed' },
    { a: 'pending', b: 'delivered', c: 'failed' }, // a regresses on a stale page
    { a: 'read', b: 'read', c: 'failed' },
  ]);
  const events: string[] = [];
  const sleeps: number[] = [];
  const r = await followLog({
    fetchPage: src.fetchPage,
    // The broadcast reports done only once the last pass has been read.
    isDone: async () => src.pass >= 5,
    follow: true,
    untilDone: true,
    intervalMs: 1000,
    maxIntervalMs: 5000,
    sleep: async (ms) => void sleeps.push(ms),
    signal: new AbortController().signal,
    onEvent: (e: LogEvent) => events.push(e.kind === 'new' ? `${e.entry.id}:${e.entry.status}` : `${e.entry.id}:${e.from}>${e.entry.status}`),
  });
  assert.deepEqual(events, ['a:pending', 'b:pending', 'c:pending', 'a:pending>sent', 'c:pending>failed', 'b:pending>delivered', 'a:sent>read', 'b:delivered>read']);
  assert.equal(r.passes, 5);
  assert.deepEqual(r.summary.counts, { pending: 0, sent: 0, delivered: 0, read: 2, failed: 1 });
  assert.deepEqual(r.summary.reasons(), [{ reason: 'Message undeliverable', count: 1 }]);
  // The third pass changed nothing: the interval backed off, then came back.
  assert.deepEqual(sleeps, [1000, 1000, 1500, 1000]);
});

test('follow: a run\'s own word changing at one status is a change of its own (unknown → sent while QUEUED), and may go back', async () => {
  type Step = [LogEntry['status'], NonNullable<LogEntry['state']>];
  const passes: Step[][] = [
    [['pending', 'unknown'], ['pending', 'not sent']],
    [['pending', 'sent'], ['pending', 'unknown']],
    [['pending', 'sent'], ['pending', 'not sent']],
    [['sent', 'sent'], ['pending', 'sent']],
  ];
  let pass = 0;
  const events: string[] = [];
  await followLog({
    fetchPage: async () => ({ entries: passes[Math.min(pass++, passes.length - 1)]!.map(([status, state], i) => ({ id: String(i), phone: '', name: '', status, state })), next: null }),
    isDone: async () => pass >= passes.length,
    follow: true,
    untilDone: true,
    ignorePending: true,
    intervalMs: 1,
    sleep: async () => undefined,
    signal: new AbortController().signal,
    onEvent: (e) => events.push(e.kind === 'new' ? `${e.entry.id}:${e.entry.state}` : `${e.entry.id}:${e.fromState ?? e.from}>${e.entry.state}(${e.entry.status})`),
  });
  assert.deepEqual(events, ['0:unknown', '1:not sent', '0:unknown>sent(pending)', '1:not sent>unknown(pending)', '1:unknown>not sent(pending)', '0:pending>sent(sent)', '1:not sent>sent(pending)']);
});

test('follow: a 429 the client could not wait out is waited out as the server asked (never under the interval), then followed on', async () => {
  const src = scripted([{ a: 'pending', b: 'sent', c: 'pending' }, { a: 'read', b: 'read', c: 'failed' }]);
  let refusals = 2;
  const sleeps: number[] = [];
  const limited = (ms: number | undefined): TransportError => Object.assign(new TransportError('rate limited (429)', false, 429), { retryAfterMs: ms });
  const r = await followLog({
    fetchPage: async (cursor) => {
      // The second pass is refused twice: once with Retry-After 7 s, once with none.
      if (src.pass === 1 && cursor === null && refusals > 0) throw limited(refusals-- === 2 ? 7000 : undefined);
      return src.fetchPage(cursor);
    },
    isDone: async () => src.pass >= 2,
    follow: true,
    untilDone: true,
    intervalMs: 1000,
    sleep: async (ms) => void sleeps.push(ms),
    signal: new AbortController().signal,
    onEvent: () => undefined,
  });
  assert.deepEqual(r.summary.counts, { pending: 0, sent: 0, delivered: 0, read: 2, failed: 1 });
  assert.deepEqual(sleeps, [1000, 7000, 1000]);
  // Without --follow a refusal is the command's failure, as before.
  await assert.rejects(followLog({ fetchPage: async () => Promise.reject(limited(5000)), isDone: async () => true, follow: false, untilDone: false, intervalMs: 1000, sleep: async () => undefined, signal: new AbortController().signal, onEvent: () => undefined }), /429/);
});

test('follow: Ctrl-C ends with the summary so far, flagged interrupted', async () => {
  const ac = new AbortController();
  const src = scripted([{ a: 'pending', b: 'sent', c: 'pending' }]);
  const r = await followLog({ fetchPage: src.fetchPage, isDone: async () => false, follow: true, untilDone: true, intervalMs: 10, sleep: async () => ac.abort(), signal: ac.signal, onEvent: () => undefined });
  assert.equal(r.interrupted, true);
  assert.equal(r.summary.total, 3);
});

test('follow: the packed id table answers as a Map would, across growth and look-alike ids', () => {
  const seen = new SeenIds();
  const model = new Map<string, number>();
  const uuid = (i: number) => `${(i * 2654435761 >>> 0).toString(16).padStart(8, '0')}-${(i % 65536).toString(16).padStart(4, '0')}-4abc-8def-${i.toString(16).padStart(12, '0')}`;
  const ids: string[] = [];
  for (let i = 0; i < 5000; i++) ids.push(uuid(i), String(i));
  // Same bytes or digits written differently are different ids: they must not share a slot.
  ids.push(uuid(7).toUpperCase(), '007', '1e3', '', '4294967296', '999999999', 'xxxx-xxxx-xxxx-xxxx', `${uuid(9)} `);
  ids.forEach((id, n) => {
    assert.equal(seen.get(id), undefined, `${id} unseen`);
    seen.set(id, n % 5);
    model.set(id, n % 5);
  });
  // Moving forward rewrites the code in place.
  for (let i = 0; i < ids.length; i += 3) {
    seen.set(ids[i]!, 4);
    model.set(ids[i]!, 4);
  }
  for (const [id, code] of model) assert.equal(seen.get(id), code, id);
  assert.equal(seen.size, model.size);
  assert.equal(seen.get(uuid(5001)), undefined);
  assert.equal(seen.get('5001'), undefined);
});
