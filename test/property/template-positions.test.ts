// Template findings on hostile bodies up to megabytes: every finding points at the character it is about, in the
// field and in the file, and positions agree with the definition (text before the offset split at line breaks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTemplates, validateTemplate } from '../../src/core/template-rules/index.js';
import { MAX_FINDINGS_PER_FIELD } from '../../src/core/template-rules/engine.js';
import { positionIn } from '../../src/core/template-rules/text.js';
import { MAX_JSON_DEPTH, parseWithPositions } from '../../src/core/template-rules/json-positions.js';
import { InputError } from '../../src/errors.js';

// The definition, slow on purpose (it re-reads the text before every offset): the oracle for the indexed version.
function reference(text: string, offset: number): { line: number; column: number } {
  const lines = text.slice(0, offset).split(/\r\n|\n|\r/);
  return { line: lines.length, column: [...lines[lines.length - 1]!].length + 1 };
}

// Line breaks of every kind, surrogate pairs, lone surrogates, tabs, zero-width characters and plain text.
const piece = fc.constantFrom('a', 'kata ', '\n', '\r', '\r\n', '\t', '😀', '👨‍👩‍👧', '\uD83D', '\uDE00', '\u200B', 'é', '{{1}}', '  ');
const textOf = (maxLength: number) => fc.array(piece, { maxLength }).map((ps) => ps.join(''));

test('positionIn agrees with the definition at every offset of random texts', () => {
  fc.assert(
    fc.property(textOf(60), (text) => {
      for (let o = 0; o <= text.length; o++) assert.deepEqual(positionIn(text, o), reference(text, o), `offset ${o} of ${JSON.stringify(text)}`);
    }),
    { numRuns: 300 },
  );
});

test('positionIn agrees with the definition on megabyte texts, offsets in any order', () => {
  fc.assert(
    fc.property(textOf(200), fc.integer({ min: 1, max: 3 }), fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }), (unit, megabytes, where) => {
      if (unit.length === 0) return;
      const text = unit.repeat(Math.ceil((megabytes * 1024 * 1024) / unit.length));
      for (const w of where) {
        const o = Math.floor(w * text.length);
        assert.deepEqual(positionIn(text, o), reference(text, o), `offset ${o}`);
      }
    }),
    { numRuns: 8 },
  );
});

/** Where each occurrence of `ch` sits by the definition, found in one walk: line breaks \r\n, \n or \r; columns in code points. */
function expectedPositions(text: string, ch: string): { line: number; column: number; offset: number }[] {
  const out: { line: number; column: number; offset: number }[] = [];
  let line = 1;
  let column = 1;
  for (let i = 0; i < text.length; ) {
    const c = text[i]!;
    if (c === ch) out.push({ line, column, offset: i });
    if (c === '\r' || c === '\n') {
      i += c === '\r' && text[i + 1] === '\n' ? 2 : 1;
      line++;
      column = 1;
      continue;
    }
    const cp = text.codePointAt(i)!;
    i += cp > 0xffff ? 2 : 1;
    column++;
  }
  return out;
}

test('tab and invisible-character findings in megabyte bodies each point at their character, in the field and the file', () => {
  fc.assert(
    fc.property(textOf(400), fc.constantFrom(256 * 1024, 1024 * 1024), (unit, bytes) => {
      // Whole units only: a cut through an emoji would leave a lone joiner, which is rightly a finding of its own.
      const body = `Halo {{1}} ${unit.repeat(Math.max(1, Math.floor(bytes / Math.max(unit.length, 1))))}`;
      const json = JSON.stringify({ name: 'hostile', language: 'id', category: 'MARKETING', components: [{ type: 'BODY', text: body }] });
      const findings = validateTemplate(parseTemplates(json, 'hostile.json')[0]!);
      const byFile = (a: { fileColumn?: number }, b: { fileColumn?: number }) => a.fileColumn! - b.fileColumn!;
      // The first MAX_FINDINGS_PER_FIELD of a rule are listed, each at its character; one more counts the rest.
      const listedOf = (ruleId: string, all: number) => {
        const of = findings.filter((f) => f.ruleId === ruleId);
        const listed = of.filter((f) => !f.message.startsWith('and ')).sort(byFile);
        assert.equal(listed.length, Math.min(all, MAX_FINDINGS_PER_FIELD), `${ruleId}: listed`);
        const rest = of.filter((f) => f.message.startsWith('and '));
        assert.deepEqual(rest.map((f) => f.message), all > MAX_FINDINGS_PER_FIELD ? [`and ${all - MAX_FINDINGS_PER_FIELD} more like this in body (only the first ${MAX_FINDINGS_PER_FIELD} are listed)`] : []);
        return listed;
      };
      const expected = expectedPositions(body, '\t');
      const tabs = listedOf('tab-character', expected.length);
      tabs.forEach((f, k) => {
        assert.deepEqual({ line: f.line, column: f.column }, { line: expected[k]!.line, column: expected[k]!.column }, `tab ${k}`);
        // In the file: on the tab's "\t" escape, JSON.stringify writes one line.
        assert.equal(f.fileLine, 1);
        assert.equal(json.slice(f.fileColumn! - 1, f.fileColumn! + 1), '\\t', `tab ${k} in the file`);
      });
      const zwExpected = expectedPositions(body, '\u200B');
      const zw = listedOf('zero-width-character', zwExpected.length);
      zw.forEach((f, k) => assert.deepEqual({ line: f.line, column: f.column }, { line: zwExpected[k]!.line, column: zwExpected[k]!.column }, `zero-width ${k}`));
    }),
    { numRuns: 3 },
  );
});

test('a tab and an invisible character at the end of a megabyte body of mixed line breaks and pairs are placed exactly', () => {
  const body = `Halo {{1}} ${'kata 😀\r\nlagi é\rdan\n👨‍👩‍👧 '.repeat(40_000)}akhir\tx\u200By`;
  const json = JSON.stringify({ name: 'deep', language: 'id', category: 'MARKETING', components: [{ type: 'BODY', text: body }] });
  const findings = validateTemplate(parseTemplates(json, 'deep.json')[0]!);
  for (const [ruleId, ch, escaped] of [
    ['tab-character', '\t', '\\t'],
    ['zero-width-character', '\u200B', '\u200B'],
  ] as const) {
    const of = findings.filter((f) => f.ruleId === ruleId);
    assert.equal(of.length, 1, ruleId);
    const [want] = expectedPositions(body, ch);
    assert.deepEqual({ line: of[0]!.line, column: of[0]!.column }, { line: want!.line, column: want!.column }, ruleId);
    assert.equal(json.slice(of[0]!.fileColumn! - 1, of[0]!.fileColumn! - 1 + escaped.length), escaped, `${ruleId} in the file`);
  }
});

test('JSON nested 50,000 deep is one line naming the file (a depth limit), not a stack overflow', () => {
  for (const [open, close] of [
    ['[', ']'],
    ['{"a":', '}'],
  ] as const) {
    const deep = `${open.repeat(50_000)}1${close.repeat(50_000)}`;
    assert.throws(
      () => parseTemplates(deep, 'deep.json'),
      (e: unknown) => e instanceof InputError && /^deep\.json:1:\d+: invalid JSON: nested deeper than \d+ levels$/.test(e.message),
    );
  }
  // At the limit the parser still reads it (what it makes of it as a template is another matter).
  const atLimit = `${'['.repeat(MAX_JSON_DEPTH)}1${']'.repeat(MAX_JSON_DEPTH)}`;
  try {
    parseTemplates(atLimit, 'limit.json');
  } catch (e) {
    assert.doesNotMatch((e as Error).message, /nested deeper/);
  }
  assert.throws(() => parseTemplates(`[${atLimit}]`, 'over.json'), /nested deeper than/);
});

// A string's characters written every way JSON allows: as themselves, as short escapes, as \u escapes (surrogate halves
// too), with the decoded UTF-16 units each piece stands for.
const written = fc.constantFrom(
  ['a', 'a'], ['é', 'é'], ['😀', '😀'], ['\u200B', '\u200B'], [' ', ' '],
  ['\\n', '\n'], ['\\r', '\r'], ['\\t', '\t'], ['\\"', '"'], ['\\\\', '\\'], ['\\/', '/'], ['\\b', '\b'],
  ['\\u00e9', 'é'], ['\\u200B', '\u200B'], ['\\ud83d', '\ud83d'], ['\\uDE00', '\uDE00'], ['{{1}}', '{{1}}'],
);

test('every character of a string is placed where its escape or itself starts in the file, whatever nests around it', () => {
  fc.assert(
    fc.property(fc.array(fc.array(written, { maxLength: 40 }), { minLength: 1, maxLength: 4 }), fc.constantFrom('', '\n', '\r\n  '), (strings, gap) => {
      // An array of objects, one string each, with line breaks between the members.
      const raw = strings.map((pieces) => `{${gap}"k\\u0041": 1,${gap}"text":${gap}"${pieces.map(([w]) => w).join('')}"}`);
      const text = `\uFEFF[${gap}${raw.join(`,${gap}`)}]`;
      const located = parseWithPositions(text, 'gen.json');
      assert.deepEqual(located.value, JSON.parse(text.slice(1)));
      let from = 0;
      strings.forEach((pieces, n) => {
        const span = located.strings.get(`/${n}/text`)!;
        // Where the string opens in the file: after the n-th "text": key.
        from = text.indexOf('"text":', from) + 7;
        let at = text.indexOf('"', from) + 1;
        let unit = 0;
        for (const [w, decoded] of pieces) {
          for (let k = 0; k < decoded.length; k++) {
            // A piece that is one escape gives its backslash for each unit; a literal surrogate pair one offset each.
            const expected = w.startsWith('\\') ? at : at + k;
            assert.equal(located.offsetIn(span, unit + k), expected, `string ${n}, unit ${unit + k}`);
          }
          unit += decoded.length;
          at += w.length;
        }
        assert.equal(located.offsetIn(span, unit), at, 'past the end: the closing quote');
        assert.equal(text[at], '"');
        assert.equal(located.offsetIn(span, unit + 5), at, 'clamped to the closing quote');
        assert.equal(located.offsetIn(span, -1), located.offsetIn(span, 0), 'clamped to the first character');
      });
    }),
    { numRuns: 300 },
  );
});

test('the JSON reader accepts exactly what JSON.parse accepts, with the same value', () => {
  const cut = fc.tuple(fc.json(), fc.nat(), fc.string({ maxLength: 3 })).map(([j, at, s]) => j.slice(0, at % (j.length + 1)) + s + j.slice(at % (j.length + 1)));
  fc.assert(
    fc.property(fc.oneof(fc.json(), cut, fc.string({ maxLength: 40 })), (text) => {
      let expected: unknown;
      let valid = true;
      try {
        expected = JSON.parse(text);
      } catch {
        valid = false;
      }
      if (valid) assert.deepEqual(parseWithPositions(text, 'x.json').value, expected);
      else assert.throws(() => parseWithPositions(text, 'x.json'), (e: unknown) => e instanceof InputError && /^x\.json:\d+:\d+: invalid JSON: /.test(e.message) && !e.message.includes('\n'));
    }),
    { numRuns: 2000 },
  );
});
