import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseShard } from '../../../src/core/broadcast/narrow.js';

test('parseShard: I/N as before; auto maps the 0-based index to the 1-based shard', () => {
  assert.deepEqual(parseShard('2/4'), { index: 2, total: 4 });
  assert.deepEqual(parseShard('auto', { JOB_COMPLETION_INDEX: '0', WA_SHARD_COUNT: '4' }), { index: 1, total: 4 });
  assert.deepEqual(parseShard('auto/4', { JOB_COMPLETION_INDEX: '3' }), { index: 4, total: 4 });
  assert.throws(() => parseShard('0/4'), /write I\/N with 1 ≤ I ≤ N/);
  assert.throws(() => parseShard('automatic', { JOB_COMPLETION_INDEX: '0', WA_SHARD_COUNT: '2' }), /write I\/N/);
});
