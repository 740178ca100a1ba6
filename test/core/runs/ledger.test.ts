import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, appendFileSync, readFileSync, existsSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRun } from '../../../src/core/runs/plan-write.js';
import { OperationError } from '../../../src/errors.js';
import { defaultIdempotencyKey, Ledger } from '../../../src/core/runs/ledger.js';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'wa-ledger-'));

test('ledger: the latest record of a key wins; a torn last line is ignored', async () => {
  const d = dir();
  const ledger = new Ledger(d);
  const base = { key: 'k1', provider: 'qontak', template: 't', target: 'list:1', recipients: 3 };
  await ledger.record({ ...base, at: '1', status: 'started' });
  await ledger.record({ ...base, at: '2', status: 'done', broadcastId: 'b1' });
  appendFileSync(path.join(d, 'ledger.jsonl'), '{"key":"k1","status":"fai');
  const found = await ledger.find('k1');
  assert.equal(found?.status, 'done');
  assert.equal(found?.broadcastId, 'b1');
  assert.equal(await ledger.find('k2'), undefined);
});

test('default idempotency key: stable for the same send, different when anything that matters differs', () => {
  const a = { provider: 'qontak', templateId: 't1', language: 'id', target: 'list:1', params: { '1': 'full_name', '2': 'order_id' } };
  const k = defaultIdempotencyKey(a);
  assert.match(k, /^wa-[0-9a-f]{16}$/);
  assert.equal(defaultIdempotencyKey({ ...a, params: { '2': 'order_id', '1': 'full_name' } }), k, 'parameter order does not matter');
  for (const change of [{ templateId: 't2' }, { language: 'en' }, { target: 'list:2' }, { params: { '1': 'full_name', '2': ':x' } }]) {
    assert.notEqual(defaultIdempotencyKey({ ...a, ...change }), k, JSON.stringify(change));
  }
});

test('ledger: a key it does not know but a run folder carries counts as used (a deleted ledger is rebuilt from runs)', async () => {
  const d = dir();
  const header = { v: 1 as const, runId: '20250101-000000-abcd', createdAt: '2025-01-01T00:00:00.000Z', provider: 'konekwa', name: 'promo', templateId: 't1', templateName: 'promo_jan', channelId: 'c1', idempotencyKey: 'wa-00000000000000aa', total: 2 };
  const journal = await createRun(d, header, [{ i: 0, row: 2, phone: '+628111', name: 'A', values: {}, text: '' }, { i: 1, row: 3, phone: '+628112', name: 'B', values: {}, text: '' }]);
  await journal.close();
  const ledger = new Ledger(d);
  assert.equal(existsSync(ledger.file), false, 'no ledger at all');
  const found = await ledger.find('wa-00000000000000aa');
  assert.equal(found?.status, 'started');
  assert.equal(found?.runId, header.runId);
  assert.equal(found?.recipients, 2);
  assert.equal(await ledger.find('wa-00000000000000bb'), undefined);
  // A ledger that exists but lost the line still defers to the run folder.
  await ledger.record({ key: 'other', at: '1', status: 'done', provider: 'konekwa', template: 't', target: 'x', recipients: 1 });
  assert.equal((await ledger.find('wa-00000000000000aa'))?.runId, header.runId);
});

test('ledger: a damaged line in the middle is an error naming the file and line, not a skipped record', async () => {
  const d = dir();
  const ledger = new Ledger(d);
  const base = { provider: 'qontak', template: 't', target: 'list:1', recipients: 3 };
  await ledger.record({ ...base, key: 'k1', at: '1', status: 'started' });
  appendFileSync(ledger.file, 'garbage {\n');
  await ledger.record({ ...base, key: 'k2', at: '2', status: 'done' });
  await assert.rejects(ledger.find('k1'), (e: unknown) => e instanceof OperationError && e.message.includes(`${ledger.file} line 2 cannot be read`) && !e.message.includes('\n'));
});

test('ledger: a torn last line is cut before the next record, which stays readable', async () => {
  const d = dir();
  const ledger = new Ledger(d);
  const base = { provider: 'qontak', template: 't', target: 'list:1', recipients: 3 };
  await ledger.record({ ...base, key: 'k1', at: '1', status: 'done' });
  appendFileSync(ledger.file, '{"key":"k2","status":"sta');
  await ledger.record({ ...base, key: 'k3', at: '2', status: 'started' });
  assert.equal((await ledger.find('k3'))?.status, 'started');
  assert.equal((await ledger.find('k1'))?.status, 'done');
  assert.equal(readFileSync(ledger.file, 'utf8').split('\n').length, 3);
  assert.equal(statSync(ledger.file).mode & 0o777, 0o600);
});
