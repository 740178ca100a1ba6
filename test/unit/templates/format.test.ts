// Text lines, GitHub annotations and the JSON report for real corpus files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { formatGithub, formatText, toJsonReport, validateText } from '../../../src/core/templates/index.js';
import { fixture } from '../../helpers/paths.js';

const results = [
  ...validateText(readFileSync(fixture('templates', 'bad', 'double-space.json'), 'utf8'), 'fixtures/templates/bad/double-space.json'),
  ...validateText(readFileSync(fixture('templates', 'bad', 'adjacent-placeholders.json'), 'utf8'), 'adj, 100%.json'),
];

// Where each finding is, as the corpus generator found it by searching the file text.
const expectedAt = (name: string) => JSON.parse(readFileSync(fixture('templates', 'bad', `${name}.expected.json`), 'utf8'))[0] as { line: number; column: number };
const ds = expectedAt('double-space');
const adj = expectedAt('adjacent-placeholders');

test('text: file:line:col severity rule-id message, then template and field position', () => {
  const lines = formatText(results).split('\n');
  assert.equal(lines.length, 2);
  assert.equal(lines[0], `fixtures/templates/bad/double-space.json:${ds.line}:${ds.column} error double-space 2 spaces in a row; use a single normal space (order_update, body 1:20)`);
  assert.ok(lines[1]!.startsWith(`adj, 100%.json:${adj.line}:${adj.column} warning adjacent-placeholders`));
  assert.match(lines[1]!, /warning adjacent-placeholders \{\{1\}\} and \{\{2\}\} have nothing but space between them/);
});

test('github: ::error / ::warning with file, line, col, title; properties and data escaped', () => {
  const lines = formatGithub(results).split('\n');
  assert.equal(lines[0], `::error file=fixtures/templates/bad/double-space.json,line=${ds.line},col=${ds.column},title=double-space::2 spaces in a row; use a single normal space (order_update, body 1:20)`);
  assert.ok(lines[1]!.startsWith(`::warning file=adj%2C 100%25.json,line=${adj.line},col=${adj.column},title=adjacent-placeholders::`), lines[1]);
});

test('json: one entry per template with its findings, and totals', () => {
  const report = toJsonReport(results);
  assert.deepEqual(report.totals, { templates: 2, errors: 1, warnings: 1 });
  assert.deepEqual(report.results.map((r) => [r.file, r.template, r.findings.map((f) => f.ruleId)]), [
    ['fixtures/templates/bad/double-space.json', 'order_update', ['double-space']],
    ['adj, 100%.json', 'order_update', ['adjacent-placeholders']],
  ]);
  assert.deepEqual(JSON.parse(JSON.stringify(report)), report);
});
