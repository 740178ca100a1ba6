// Grapheme clusters as wa-cli counts them (forEachGrapheme, with its quick paths for text whose every unit is a
// cluster) against Intl.Segmenter on the whole text, for random texts of the characters that make clusters hard.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { graphemes } from '../../src/core/template-rules/text.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const reference = (text: string): string[] => [...segmenter.segment(text)].map((s) => s.segment);

const HARD = [
  // Plain letters, Latin-1 and beyond, CJK, symbols, spaces.
  'a', 'Z', ' ', '1', 'é', 'ß', 'Ω', 'ж', 'ب', 'ع', 'ק', '中', '한', '©', '™', '€', '\u00a0', '\u3000', 'ｶ',
  // Line breaks and controls: CR LF is one cluster; NEL, line and paragraph separators stand alone.
  '\r', '\n', '\r\n', '\t', '\u0085', '\u2028', '\u2029', '\u0000', '\u007f',
  // Format characters: zero-width space, direction marks, BOM, word joiner; the joiners themselves.
  '\u200b', '\u200e', '\u200f', '\ufeff', '\u2060', '\u200c', '\u200d',
  // Marks that extend: combining accent, Thai and Devanagari signs, virama, halfwidth voiced sound mark, VS16.
  '\u0301', '\u0e31', '\u0e33', '\u0eb3', 'ก', 'ລ', 'क', '\u094d', 'ष', '\u093f', '\uff9e', '\ufe0f', '\u20e3',
  // Hangul jamo that join into syllables.
  '\u1100', '\u1161', '\u11a8', '\ua960', '\ud7b0',
  // Prepended Arabic signs; an unassigned code point.
  '\u0600', '\u06dd', '\u0378',
  // Emoji: a family, a modifier, regional indicators, a keycap base.
  '😀', '👍', '\u{1f3fd}', '👨‍👩‍👧', '\u{1f1ee}', '\u{1f1e9}', '#',
  // Lone surrogates, high and low.
  '\ud83d', '\ude00',
];

test('forEachGrapheme splits random texts of hard characters exactly as Intl.Segmenter does', () => {
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...HARD), { maxLength: 80 }), (pieces) => {
      const text = pieces.join('');
      assert.deepEqual(graphemes(text), reference(text), JSON.stringify(text));
    }),
    { numRuns: 3000 },
  );
});

test('texts of single-unit clusters only (the quick path) split as Intl.Segmenter does', () => {
  const single = HARD.filter((c) => c.length === 1 && reference(`a${c}a`).length === 3 && c !== '\r' && c !== '\n');
  // The quick path must see these: lone surrogates, format characters and letters from many scripts.
  for (const c of ['\ude00', '\u200b', 'é', '中', '\u0085']) assert.ok(single.includes(c), JSON.stringify(c));
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...single, '\r', '\n'), { maxLength: 200 }), (pieces) => {
      const text = pieces.join('');
      assert.deepEqual(graphemes(text), reference(text), JSON.stringify(text));
    }),
    { numRuns: 2000 },
  );
});
