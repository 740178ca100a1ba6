// The fixture corpus: every case in fixtures/templates/bad gives exactly the findings listed beside it, at the
// positions listed (found by the corpus generator by searching the file text, not by wa-cli), and every realistic
// template in fixtures/templates/good gives none.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RULE_IDS, validateText } from '../../../src/core/templates/index.js';
import { fixture } from '../../helpers/paths.js';

interface Expected {
  ruleId: string;
  severity: string;
  line: number;
  column: number;
  field?: string;
  fieldLine?: number;
  fieldColumn?: number;
}

const badDir = fixture('templates', 'bad');
// good-named holds Meta's named-parameter form, kept apart because the older template-rules corpus test reads good/.
const goodDirs = [fixture('templates', 'good'), fixture('templates', 'good-named')];
const cases = readdirSync(badDir).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'));
const expectedOf = (file: string) => JSON.parse(readFileSync(path.join(badDir, file.replace(/\.json$/, '.expected.json')), 'utf8')) as Expected[];

for (const file of cases) {
  test(`bad corpus: ${file}`, () => {
    const expected = expectedOf(file);
    const findings = validateText(readFileSync(path.join(badDir, file), 'utf8'), file).flatMap((r) => r.findings);
    const key = (x: { ruleId: string; severity: string }, line?: number, column?: number) => `${x.ruleId} ${x.severity} ${line}:${column}`;
    assert.deepEqual(
      findings.map((f) => key(f, f.fileLine, f.fileColumn)).sort(),
      expected.map((e) => key(e, e.line, e.column)).sort(),
      findings.map((f) => `${f.ruleId}: ${f.message}`).join('\n'),
    );
    for (const e of expected) {
      const f = findings.find((x) => x.ruleId === e.ruleId && x.fileLine === e.line && x.fileColumn === e.column)!;
      if (e.field !== undefined) assert.equal(f.field, e.field, `${e.ruleId} field`);
      if (e.fieldLine !== undefined) assert.deepEqual([f.line, f.column], [e.fieldLine, e.fieldColumn], `${e.ruleId} position inside ${f.field}`);
      assert.ok(f.message.length > 20 && !f.message.includes('\n'), f.message);
    }
  });
}

test('bad corpus: every rule id has at least one failing case', () => {
  const covered = new Set(cases.flatMap((f) => expectedOf(f).map((e) => e.ruleId)));
  assert.deepEqual(RULE_IDS.filter((id) => !covered.has(id)), []);
  assert.equal(RULE_IDS.length, 27);
});

test('good corpus: realistic Indonesian, English, emoji, CRLF, Konekwa, named and API-list templates give no findings', () => {
  const files = goodDirs.flatMap((dir) => readdirSync(dir).filter((f) => f.endsWith('.json')).map((f) => path.join(dir, f)));
  assert.ok(files.length >= 10, `${files.length} good files`);
  let templates = 0;
  for (const file of files) {
    for (const r of validateText(readFileSync(file, 'utf8'), file)) {
      templates++;
      assert.deepEqual(r.findings, [], `${file} ${r.template}`);
    }
  }
  assert.ok(templates >= 10, `${templates} templates`);
});
