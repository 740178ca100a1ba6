// The look at Konekwa's listing, with a fake port: a match must be this run's own message (created no earlier than the
// attempt, on the server's clock, to the second), the time range read is what the doubts span, witnesses are reported;
// and a fresh run's look before sending leaves out who already got the identical text, or refuses on a partial look.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OperationError } from '../../../src/errors.js';
import type { Doubt } from '../../../src/core/broadcast/fanout-doubts.js';
import { leaveOutEarlierSends } from '../../../src/core/broadcast/dedupe.js';
import { lookUp } from '../../../src/core/broadcast/fanout-look.js';
import type { NewRun } from '../../../src/core/broadcast/fanout-run.js';
import type { MessageQuery, SentMessage } from '../../../src/providers/port.js';

const T = Date.parse('2026-11-30T08:00:10.600Z');
const iso = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
const msg = (id: string, recipient: string, content: string, createdMs: number): SentMessage => ({ id, sessionId: 's', recipient, status: 'SENT', delivery: 'sent', content, createdAt: iso(createdMs), sentAt: undefined });
const doubt = (i: number, phone: string, text: string, at: number, witnesses: string[] = []): Doubt => ({ r: { i, row: i + 2, phone, name: '', values: {}, text }, lane: 's', from: at, to: at, answered: true, witnesses, issued: 0 });

function port(messages: SentMessage[], lead: number | undefined) {
  const queries: MessageQuery[] = [];
  return {
    queries,
    serverClockAhead: () => lead,
    async *list(q: MessageQuery) {
      queries.push(q);
      yield* messages;
    },
  };
}

test('lookUp: a message counts only if created no earlier than this run\'s attempt (server clock, whole seconds); the text must be the same', async () => {
  const p = port(
    [
      msg('old', '6281', 'Halo A', T - 2500), // an earlier run of the same text, 2.5 s before the attempt
      msg('other', '6282', 'Halo lain', T + 200), // another text to the same number
      msg('mine', '6282', 'Halo B', T - 600), // the attempt's own second: created_at has whole seconds
      msg('w1', '6289', 'Halo W', T + 1000),
    ],
    0,
  );
  const seen = await lookUp(p, ['s'], [doubt(0, '6281', 'Halo A', T), doubt(1, '6282', 'Halo B', T, ['w1', 'w2'])], { settleMs: 60_000, maxPages: 7 });
  assert.deepEqual([...seen.found], [[1, 'mine']]);
  assert.deepEqual([...seen.listed], ['w1']);
  // The range read: what the attempts and their windows span, on the server's clock, with a margin; and the page cap.
  assert.deepEqual(p.queries, [{ sessionId: 's', since: new Date(T - 2000).toISOString(), until: new Date(T + 63_000).toISOString(), maxPages: 7 }]);
});

test('lookUp: a server whose clock runs 90 s ahead: its times are read on its own clock', async () => {
  const p = port([msg('theirs', '6281', 'Halo A', T + 90_000 - 400), msg('before', '6282', 'Halo B', T + 90_000 - 3000)], 90_000);
  const seen = await lookUp(p, ['s'], [doubt(0, '6281', 'Halo A', T), doubt(1, '6282', 'Halo B', T)], { settleMs: 10_000, maxPages: 5 });
  assert.deepEqual([...seen.found], [[0, 'theirs']]);
});

const spec = (phones: string[]): NewRun =>
  ({
    template: { id: 't', name: 'promo', language: '', category: 'text', status: 'APPROVED', body: 'Halo {{name}}', header: null, footer: null, buttons: [], qualityRating: null, raw: {} },
    channels: [{ id: 's', name: 's', phone: undefined, status: 'CONNECTED', canSend: true }],
    recipients: function* () {
      for (const [k, phone] of phones.entries()) yield { row: k + 2, phone, name: `P${k}`, values: {}, text: `Halo P${k}` };
    },
    count: phones.length,
    key: 'k',
    name: 'n',
    rate: 1,
    concurrency: 1,
    ledgerBase: { key: 'k', provider: 'konekwa', template: 'promo', target: 'file:x', recipients: phones.length },
  }) as NewRun;

test('leaveOutEarlierSends: who already got the identical text within the window is left out (with the latest such message); the rest stay, in order', async () => {
  const p = port([msg('a1', '6281', 'Halo P0', T - 3_600_000), msg('a2', '6281', 'Halo P0', T - 60_000), msg('b', '6282', 'Halo lain', T - 60_000), msg('c', '6283', 'Halo P2', T - 1000)], 0);
  const provider = { name: 'konekwa', messages: p } as never;
  const pages: number[] = [];
  const { spec: left, leftOut } = await leaveOutEarlierSends({ provider, now: () => T }, spec(['6281', '6282', '6283', '6284']), 6 * 3_600_000, (n) => pages.push(n));
  assert.deepEqual(leftOut.map((l) => [l.row, l.phone, l.messageId, l.at]), [
    [2, '6281', 'a2', iso(T - 60_000)],
    [4, '6283', 'c', iso(T - 1000)],
  ]);
  assert.equal(left.count, 2);
  assert.deepEqual([...(left.recipients as () => Iterable<{ phone: string }>)()].map((r) => r.phone), ['6282', '6284']);
  assert.deepEqual(p.queries.map((q) => [q.sessionId, q.since, q.maxPages]), [['s', new Date(T - 6 * 3_600_000).toISOString(), 5000]]);
});

test('leaveOutEarlierSends: a listing cut short (too many pages) is no look at all: nothing is sent, and the flag to narrow it is named', async () => {
  const provider = {
    name: 'konekwa',
    messages: {
      serverClockAhead: () => 0,
      // eslint-disable-next-line require-yield
      async *list(): AsyncGenerator<SentMessage> {
        throw new OperationError("Konekwa's message listing of session s went on past 5000 pages; wa-cli stopped reading it there.");
      },
    },
  } as never;
  await assert.rejects(leaveOutEarlierSends({ provider, now: () => T }, spec(['6281']), 6 * 3_600_000), (err: unknown) => err instanceof OperationError && /went on past 5000 pages.*needs every one of them; nothing was sent/.test(err.message) && /--dedupe-window/.test(err.hint ?? ''));
});
