import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  JournalError,
  createJournal,
  journalPath,
  openJournal,
  readPlan,
  replayJournal,
  type PlanRecipient,
} from '../../../src/core/broadcast/journal.js';
import { header, recipients, tempState } from './fixtures.js';

test('creates plan and journal with private modes; replay gives the header and every state', async () => {
  const dir = await tempState();
  const j = await createJournal(dir, header('run-1'), recipients(5), { clock: () => Date.parse('2024-07-01T08:00:00Z') });
  assert.equal(j.path, journalPath(dir, 'run-1'));
  assert.equal(j.header.total, 5);
  assert.equal(j.header.createdAt, '2024-07-01T08:00:00.000Z');
  await j.record({ i: 0, s: 'sending', at: j.now() });
  await j.record({ i: 0, s: 'sent', id: 'msg-0', at: j.now() });
  await j.record({ i: 1, s: 'sending', at: j.now() });
  await j.record({ i: 1, s: 'failed', error: 'invalid number', at: j.now(), retryable: false });
  await j.record({ i: 2, s: 'sending', at: j.now() });
  await j.record({ i: 3, s: 'sending', at: j.now() });
  await j.record({ i: 3, s: 'unknown', error: 'timeout', at: j.now() });
  await j.close();

  assert.equal((await stat(j.path)).mode & 0o777, 0o600);
  assert.equal((await stat(j.planPath)).mode & 0o777, 0o600);
  assert.equal((await stat(path.dirname(j.path))).mode & 0o777, 0o700);

  const r = await replayJournal(j.path, { keepMessageIds: true });
  assert.equal(r.header.runId, 'run-1');
  assert.equal(r.header.recipientsSource, 'file:contacts.csv');
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => r.states.get(i)), ['sent', 'failed', 'sending', 'unknown', 'pending']);
  assert.equal(r.states.messageIds!.get(0), 'msg-0');
  assert.equal(r.states.errors.get(1), 'invalid number');
  assert.equal(r.states.count('pending'), 1);
  assert.deepEqual([...r.states.indices('sending', 'unknown')], [2, 3]);
  assert.equal(r.tornTail, false);

  const plan: PlanRecipient[] = [];
  for await (const p of readPlan(j.planPath)) plan.push(p);
  assert.deepEqual(plan, recipients(5));
});

test('a record is in the file once its promise resolves; concurrent records share syncs', async () => {
  const dir = await tempState();
  const j = await createJournal(dir, header('run-2'), recipients(200));
  await j.record({ i: 7, s: 'sending', at: j.now() });
  assert.match(await readFile(j.path, 'utf8'), /\{"i":7,"s":"sending"/);
  const before = j.syncs;
  await Promise.all(Array.from({ length: 200 }, (_, i) => j.record({ i, s: 'sending', at: j.now() })));
  assert.ok(j.syncs - before < 20, `200 concurrent records took ${j.syncs - before} syncs`);
  await j.close();
  assert.equal((await replayJournal(j.path)).states.count('sending'), 200);
});

test('replay ignores a torn last line; opening cuts it so later records stay readable', async () => {
  const dir = await tempState();
  const j = await createJournal(dir, header('run-3'), recipients(3));
  await j.record({ i: 0, s: 'sending', at: j.now() });
  await j.record({ i: 0, s: 'sent', id: 'm0', at: j.now() });
  await j.record({ i: 1, s: 'sending', at: j.now() });
  await j.close();
  // kill -9 in the middle of writing the result of recipient 1.
  await appendFile(j.path, '{"i":1,"s":"sent","id":"m');

  const r = await replayJournal(j.path);
  assert.equal(r.tornTail, true);
  assert.equal(r.states.get(1), 'sending', 'the torn result was never acknowledged');
  assert.equal(r.states.get(0), 'sent');

  const again = await openJournal(j.path);
  assert.equal(again.states.get(1), 'sending');
  await again.record({ i: 1, s: 'sent', id: 'm1', at: again.now() });
  await again.close();
  const text = await readFile(j.path, 'utf8');
  assert.ok(!text.includes('"id":"m{'), 'no record glued to the torn line');
  const r2 = await replayJournal(j.path, { keepMessageIds: true });
  assert.equal(r2.tornTail, false);
  assert.equal(r2.states.messageIds!.get(1), 'm1');
});

test('a complete-looking last line without its newline is ignored too', async () => {
  const dir = await tempState();
  const j = await createJournal(dir, header('run-4'), recipients(2));
  await j.close();
  await appendFile(j.path, '{"i":0,"s":"sending","at":"2024-07-01T00:00:00Z"}');
  const r = await replayJournal(j.path);
  assert.equal(r.states.get(0), 'pending');
  assert.equal(r.tornTail, true);
});

test('damage before the last line is an error naming the line', async () => {
  const dir = await tempState();
  const j = await createJournal(dir, header('run-5'), recipients(2));
  await j.close();
  await appendFile(j.path, '{"i":0,"s":"sen\n{"i":1,"s":"sending","at":"x"}\n');
  await assert.rejects(replayJournal(j.path), (e: unknown) => e instanceof JournalError && /line 2: not valid JSON/.test(e.message));
  const bad = path.join(dir, 'broadcasts', 'bad.jsonl');
  await writeFile(bad, JSON.stringify({ ...j.header, runId: 'bad' }) + '\n{"i":9,"s":"sent","id":"x","at":"x"}\n');
  await assert.rejects(replayJournal(bad), /line 2: field i is not a recipient index/);
});

test('a journal without a complete header is refused; a run id is created once', async () => {
  const dir = await tempState();
  const j = await createJournal(dir, header('run-6'), recipients(1));
  await j.close();
  await assert.rejects(createJournal(dir, header('run-6'), recipients(1)), /already exists/);
  const empty = path.join(dir, 'broadcasts', 'empty.jsonl');
  await writeFile(empty, '{"v":1,"runId":"e');
  await assert.rejects(replayJournal(empty), /no complete header line/);
  await assert.rejects(createJournal(dir, header('../escape'), recipients(1)), /not a valid file name/);
});

test('plan indices must run in order', async () => {
  const dir = await tempState();
  const bad = [{ i: 0, phone: '1', values: {} }, { i: 2, phone: '2', values: {} }];
  await assert.rejects(createJournal(dir, header('run-7'), bad), /Plan recipient 1: index is 2, expected 1/);
});
