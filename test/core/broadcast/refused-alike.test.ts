import { test } from 'node:test';
import assert from 'node:assert/strict';
import { REFUSED_ALIKE, RefusedAlike } from '../../../src/core/broadcast/refused-alike.js';

test('a session stops at the fifth refusal in a row with the same answer; a send or another answer between starts over', () => {
  const r = new RefusedAlike();
  const refuse = (lane: string, error: string, times: number) => Array.from({ length: times }, () => r.refused(lane, error));
  assert.deepEqual(refuse('a', 'bad', REFUSED_ALIKE - 1), [undefined, undefined, undefined, undefined]);
  // Another session's refusals do not count for this one.
  assert.deepEqual(refuse('b', 'bad', 3), [undefined, undefined, undefined]);
  assert.match(r.refused('a', 'bad')!, /^5 recipients in a row were refused with the same answer and none was sent between, .*: bad$/);
  r.sent('b');
  assert.deepEqual(refuse('b', 'bad', 4), [undefined, undefined, undefined, undefined]);
  // Different answers are recipients' own: no stop however many.
  assert.deepEqual(new Set(Array.from({ length: 20 }, (_, i) => r.refused('c', `number ${i} is not on WhatsApp`))), new Set([undefined]));
});
