// Template findings on hostile bodies up to megabytes: every finding points at the character it is about, in the
// field and in the file, and positions agree with the definition (text before the offset split at line breaks).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseTemplates, validateTemplate } from '../../src/core/template-rules/index.js';
import { MAX_FINDINGS_PER_FIELD } from '../../src/core/template-rules/engine.js';
import { positionIn } from '../../src/core/template-rules/text.js';
import { MAX_JSON_DEPTH } from '../../src/core/template-rules/json-positions.js';
import { InputError } from '../../src/core/input-error.js';

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
