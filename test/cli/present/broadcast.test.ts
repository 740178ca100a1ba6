import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timeFormat } from '../../../src/cli/time.js';
import { broadcast, journalTotalsJson, run, statusJson } from '../../../src/cli/present/broadcast.js';
import type { BroadcastSummary } from '../../../src/providers/port.js';

const wib = timeFormat({ TZ: 'Asia/Jakarta' });
const counts = { pending: 0, sent: 1, delivered: 2, read: 3, failed: 1 };

test('a status is one word of the vocabulary; one no document shows is unknown, kept whole in rawStatus', () => {
  for (const s of ['todo', 'done', 'failed', 'unfinished', 'damaged']) assert.deepEqual(statusJson(s), { status: s });
  assert.deepEqual(statusJson('on_progress'), { status: 'unknown', rawStatus: 'on_progress' });
  assert.deepEqual(statusJson(''), { status: 'unknown' });
});

test('a Qontak broadcast and a Konekwa run share id, name, createdAt (ISO with the offset) and status', () => {
  const b: BroadcastSummary = { id: 'b1', name: 'nov', status: 'todo', createdAt: '2026-11-22T02:00:00.000Z', sendAt: undefined, templateName: 'promo', contactListName: undefined, counts, raw: { organization_id: 'o' } };
  const q = broadcast.toJson(b, wib);
  assert.deepEqual(Object.keys(q).slice(0, 4), ['id', 'name', 'createdAt', 'status']);
  assert.equal(q.createdAt, '2026-11-22T09:00:00+07:00');
  assert.equal(q.sendAt, null);
  assert.equal('raw' in q, false);
  const r = run.toJson({ id: '20261122-020000-a1b2c3', name: 'nov', createdAt: '2026-11-22T02:00:00.000Z', status: 'unfinished', template: 'promo', idempotencyKey: 'wa-1', total: 5, sent: 2, failed: 1, unknown: 1, notSent: 1, resume: 'wa-cli broadcast send --resume 20261122-020000-a1b2c3' }, wib);
  assert.deepEqual(Object.keys(r).slice(0, 9), ['id', 'name', 'createdAt', 'status', 'total', 'sent', 'failed', 'unknown', 'notSent']);
  assert.equal(r.createdAt, q.createdAt);
});

test('run folders summed: the sum counted as a run counts, each run under its id', () => {
  const c = { total: 4, sent: 3, failed: 0, unknown: 1, notSent: 0 };
  const j = journalTotalsJson({ total: c, runs: [{ path: 'a', runId: 'r1', name: 'n', createdAt: '2026-11-22T02:00:00.000Z', shard: '1/2', template: 't', idempotencyKey: 'k', status: 'unfinished', damaged: false, counts: c }] }, wib);
  assert.deepEqual([j.status, j.total, j.sent, j.unknown], ['unfinished', 4, 3, 1]);
  assert.equal(j.runs[0]!.id, 'r1');
  assert.equal('runId' in j.runs[0]!, false);
  assert.equal(j.runs[0]!.sent, 3);
});
