import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, appendFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireLock, LockHeldError } from '../../../src/core/send/lock.js';
import { defaultIdempotencyKey, Ledger } from '../../../src/core/send/ledger.js';

const dir = () => mkdtempSync(path.join(os.tmpdir(), 'wa-lock-'));

test('lock: held while taken, free once released', async () => {
  const file = path.join(dir(), 'locks', 'k.lock');
  const release = await acquireLock(file);
  await assert.rejects(acquireLock(file), (e: unknown) => e instanceof LockHeldError && e.holder.pid === process.pid);
  await release();
  await (await acquireLock(file))();
});

test('lock: one left by a dead process on this host is taken over; an unreadable one is treated as held', async () => {
  const d = dir();
  mkdirSync(path.join(d, 'locks'));
  const file = path.join(d, 'locks', 'k.lock');
  writeFileSync(file, JSON.stringify({ pid: 2 ** 22 + 12345, host: os.hostname(), startedAt: 'then' }));
  const release = await acquireLock(file);
  await release();
  writeFileSync(file, '{"pid": 1');
  await assert.rejects(acquireLock(file), LockHeldError);
});

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
