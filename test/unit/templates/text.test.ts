// Counting as a person sees text: flags, skin tones, ZWJ families, combining accents and CR LF are one character each,
// also in long texts that the counter cuts into pieces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emojiOffsets, forEachGrapheme, graphemeLength, validateText } from '../../../src/core/templates/index.js';

const reference = (s: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].length;

test('one character each: flag, skin tone, ZWJ family, profession, keycap, combining accent, CR LF', () => {
  const cases: [string, number][] = [
    ['🇮🇩', 1],
    ['👍🏽', 1],
    ['👨‍👩‍👧', 1],
    ['👩🏻‍💻', 1],
    ['1️⃣', 1],
    ['e\u0301', 1],
    ['\r\n', 1],
    ['a\r\nb', 3],
    ['a\n\rb', 4],
    ['Halo 🇮🇩🇯🇵!', 8],
    ['\u00a0\u00e9', 2],
  ];
  for (const [text, n] of cases) assert.equal(graphemeLength(text), n, JSON.stringify(text));
  // UTF-16 length would say otherwise.
  assert.equal('👨‍👩‍👧'.length, 8);
});

test('long texts cut into pieces count exactly: 3,000 flags, 2,000 families, accents on every letter', () => {
  const flags = '🇮🇩🇯🇵🇺🇸'.repeat(1000);
  assert.equal(graphemeLength(flags), 3000);
  assert.equal(graphemeLength('🇮' + flags), 3001); // one lone indicator shifts every pair after it
  assert.equal(graphemeLength(flags + '🇮'), reference(flags + '🇮'));
  assert.equal(graphemeLength('👨‍👩‍👧'.repeat(2000)), 2000);
  assert.equal(graphemeLength('e\u0301'.repeat(3000)), 3000);
  assert.equal(graphemeLength('漢字かな'.repeat(1000)), 4000);
});

test('the piecewise count always equals one pass of Intl.Segmenter over the whole text', () => {
  // Tricky neighbours: prepend marks (U+0600, U+110BD), © after a joiner, Devanagari conjuncts, Hangul jamo, long runs.
  const pieces = ['a', ' ', '\r', '\n', 'é', 'e\u0301', '🇮', '🇩', '👍', '🏽', '\u200d', '👨', '👩', '\ufe0f', '⃣', '漢', 'ก', 'ำ', 'ᄀ', 'ᅡ', 'ᆨ', '\u0600', '\u{110bd}', '©', '®', 'क', '\u094d', '\u0903', '{{1}}', 'x'.repeat(600), '🇮🇩'.repeat(200)];
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 2500 }), (parts) => {
      const s = parts.join('');
      assert.equal(graphemeLength(s), reference(s));
      let joined = '';
      forEachGrapheme(s, (g, offset) => {
        assert.equal(s.slice(offset, offset + g.length), g);
        joined += g;
      });
      assert.equal(joined, s);
    }),
    { numRuns: 500 },
  );
});

test('emoji are counted as shown: text-style © and ™ are not emoji, ❤️ with its selector is', () => {
  assert.equal(emojiOffsets('© 2025 Toko™').length, 0);
  assert.deepEqual(emojiOffsets('Halo ❤️ 🇮🇩 👍🏽 👨‍👩‍👧'), [5, 8, 13, 18]);
});

test('body-length counts what a person sees: 1,022 characters in 1,041 UTF-16 units pass, 1,025 fail by 1', () => {
  const body = `Halo {{1}} ${'👍🏽'.repeat(3)}. ${'x'.repeat(1005)}.`;
  assert.ok(body.length > 1024);
  const ok = validateText(JSON.stringify({ name: 'n', language: 'id', category: 'UTILITY', components: [{ type: 'BODY', text: body, example: { body_text: [['A']] } }] }), 'a.json');
  assert.deepEqual(ok[0]!.findings.filter((f) => f.ruleId === 'body-length'), []);
  const over = `${body.slice(0, -1)}${'y'.repeat(1025 - graphemeLength(body))}.`;
  assert.equal(graphemeLength(over), 1025);
  const bad = validateText(JSON.stringify({ name: 'n', language: 'id', category: 'UTILITY', components: [{ type: 'BODY', text: over, example: { body_text: [['A']] } }] }), 'a.json');
  const f = bad[0]!.findings.find((x) => x.ruleId === 'body-length')!;
  assert.match(f.message, /body is 1025 characters \(counted as a person sees them: an emoji with skin tone or a flag is one\); the limit is 1024 — shorten by 1/);
  // It points at the first character past the limit.
  assert.deepEqual([f.line, f.column], [1, 1025]);
});
