import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bareKey, findPlaceholders, hasPlaceholder, placeholderKeys, replacePlaceholders, withoutPlaceholders } from '../../src/core/placeholders.js';

test('placeholders: distinct keys in order, spaces inside the braces, unknown keys kept as written', () => {
  assert.deepEqual(placeholderKeys('Hi {{2}}, {{ 1 }} and {{2}} again, {{first name}} is not one'), ['2', '1']);
  assert.equal(replacePlaceholders('Hi {{ 1 }}, order {{2}}', (k, w) => (k === '1' ? 'Budi' : w)), 'Hi Budi, order {{2}}');
  assert.equal(bareKey(' {{ 1 }} '), '1');
});

test('placeholders: hasPlaceholder answers the same on every call (no regex state shared between callers)', () => {
  const url = 'https://x.test/o/{{1}}';
  assert.deepEqual([hasPlaceholder(url), hasPlaceholder(url), hasPlaceholder('https://x.test/')], [true, true, false]);
});

test('placeholders: template checks see malformed pairs too, with their offsets', () => {
  const ph = findPlaceholders('{{{1}} a {{first name}}');
  assert.deepEqual(ph.map((p) => [p.inner, p.key, p.offset]), [['1', '1', 1], ['first name', 'first name', 9]]);
  assert.equal(withoutPlaceholders('a {{1}} b {{ x y }} c', '_'), 'a _ b _ c');
});

test('placeholderKeys keeps the first-seen order over a body of many placeholders, each key once', () => {
  const n = 50_000;
  const body = Array.from({ length: n }, (_, i) => `{{${n - i}}} {{${n - i}}}`).join(' ');
  const keys = placeholderKeys(body);
  assert.equal(keys.length, n);
  assert.equal(keys[0], String(n));
  assert.equal(keys[n - 1], '1');
});
