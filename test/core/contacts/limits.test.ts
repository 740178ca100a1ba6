import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseUploadFormat, splitRows } from '../../../src/core/contacts/index.js';

const qontak = { xlsx: 5000, csv: 20000 };

test('chooseUploadFormat prefers the format with room and reports when neither has', () => {
  assert.equal(chooseUploadFormat(1, qontak), 'csv');
  assert.equal(chooseUploadFormat(20000, qontak), 'csv');
  assert.deepEqual(chooseUploadFormat(20001, qontak), { exceeds: true, rowCount: 20001, max: 20000 });
  assert.equal(chooseUploadFormat(5000, qontak, 'xlsx'), 'xlsx');
  assert.equal(chooseUploadFormat(5001, qontak, 'xlsx'), 'csv');
  // A provider whose Excel limit is the larger one.
  assert.equal(chooseUploadFormat(8000, { xlsx: 10000, csv: 5000 }), 'xlsx');
  assert.equal(chooseUploadFormat(4000, { xlsx: 10000, csv: 5000 }), 'csv');
  assert.deepEqual(chooseUploadFormat(10001, { xlsx: 10000, csv: 5000 }), { exceeds: true, rowCount: 10001, max: 10000 });
});

test('splitRows cuts in order into chunks no larger than the limit', () => {
  const rows = Array.from({ length: 45001 }, (_, i) => i);
  const chunks = splitRows(rows, 20000);
  assert.deepEqual(chunks.map((c) => c.length), [20000, 20000, 5001]);
  assert.deepEqual(chunks.flat(), rows);
  assert.deepEqual(splitRows([], 10), []);
  assert.throws(() => splitRows(rows, 0), RangeError);
});
