import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTemplates, RULE_IDS, validateTemplate } from '../../../src/core/template-rules/index.js';
import { fixture } from '../../helpers/paths.js';

interface Expected {
  ruleId: string;
  severity: string;
  fileLine?: number;
  fileColumn?: number;
}

const casesDir = fixture('templates', 'cases');
const cases = readdirSync(casesDir).filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'));

for (const file of cases) {
  test(`corpus: ${file}`, () => {
    const full = path.join(casesDir, file);
    const expected = JSON.parse(readFileSync(full.replace(/\.json$/, '.expected.json'), 'utf8')) as Expected[];
    const docs = parseTemplates(readFileSync(full, 'utf8'), file);
    const findings = docs.flatMap((d) => validateTemplate(d));
    assert.deepEqual(
      findings.map((f) => `${f.ruleId}/${f.severity}`).sort(),
      expected.map((e) => `${e.ruleId}/${e.severity}`).sort(),
      JSON.stringify(findings, null, 1),
    );
    for (const e of expected.filter((x) => x.fileLine !== undefined)) {
      const at = findings.filter((f) => f.ruleId === e.ruleId).map((f) => `${f.fileLine}:${f.fileColumn}`);
      assert.ok(at.includes(`${e.fileLine}:${e.fileColumn}`), `${e.ruleId} expected at ${e.fileLine}:${e.fileColumn}, found at ${at.join(', ')}`);
    }
  });
}

test('corpus: every rule has at least one failing case', () => {
  const covered = new Set(
    readdirSync(casesDir)
      .filter((f) => f.endsWith('.expected.json'))
      .flatMap((f) => (JSON.parse(readFileSync(path.join(casesDir, f), 'utf8')) as Expected[]).map((e) => e.ruleId)),
  );
  assert.deepEqual(RULE_IDS.filter((id) => !covered.has(id)), []);
});

test('corpus: the realistic templates (Indonesian, English, emoji, line breaks, Konekwa, API list) are clean', () => {
  const dir = fixture('templates', 'good');
  for (const file of readdirSync(dir)) {
    const docs = parseTemplates(readFileSync(path.join(dir, file), 'utf8'), file);
    assert.ok(docs.length >= 1);
    for (const d of docs) assert.deepEqual(validateTemplate(d), [], `${file} ${d.name}`);
  }
});
