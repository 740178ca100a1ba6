import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusTable, packUuid } from '../../../src/core/logs/status-table.js';

const U = '98b463bc-a8f1-4f19-84df-ae62967ff795';

test('a UUID packs into its 16 bytes; case does not matter; anything else is not packed', () => {
  const key = packUuid(U)!;
  assert.equal(key.length, 16);
  assert.deepEqual([...key].map((c) => c.charCodeAt(0)), [0x98, 0xb4, 0x63, 0xbc, 0xa8, 0xf1, 0x4f, 0x19, 0x84, 0xdf, 0xae, 0x62, 0x96, 0x7f, 0xf7, 0x95]);
  assert.equal(packUuid(U.toUpperCase()), key);
  for (const id of ['xxxx-xxxx-xxxx-xxxx', `${U}0`, U.replace(/-/g, '_'), U.replace('a', 'g'), U.replace(/-/, '') + '-', '', 'phone:6281']) assert.equal(packUuid(id), undefined, id);
});

test('ids are told apart: packed and unpacked keys never collide, and each keeps its own status', () => {
  const t = new StatusTable();
  const other = '9b8463bc-a8f1-4f19-84df-ae62967ff795';
  t.set(U, 'sent');
  t.set(other, 'failed');
  // An id whose text is exactly the packed form of U is a different entry.
  t.set(packUuid(U)!, 'read');
  t.set('xxxx-xxxx-xxxx-xxxx', 'pending');
  assert.equal(t.size, 4);
  assert.equal(t.get(U), 'sent');
  assert.equal(t.get(U.toUpperCase()), 'sent');
  assert.equal(t.get(other), 'failed');
  assert.equal(t.get(packUuid(U)!), 'read');
  assert.equal(t.get('xxxx-xxxx-xxxx-xxxx'), 'pending');
  assert.equal(t.get('98b463bc-a8f1-4f19-84df-ae62967ff796'), undefined);
  t.set(U, 'delivered');
  assert.equal(t.get(U), 'delivered');
  assert.equal(t.size, 4);
});
