import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findingJson, sendProblemJson, sheetProblemJson } from '../../../src/cli/present/problem.js';
import { templateCheckJson } from '../../../src/cli/present/template-check.js';
import { parseTemplates, validateTemplate } from '../../../src/core/template-rules/index.js';

const SHARED = ['row', 'ruleId', 'message', 'severity', 'column'];

test('every problem reads {row, ruleId, message, severity, column}, then its own fields', () => {
  const sheet = sheetProblemJson({ severity: 'error', code: 'phone-invalid', message: 'A3 (phone): "12" is not a phone number', rowNumber: 3, column: 'A', header: 'phone', value: '12', reason: 'too short' });
  assert.deepEqual(Object.keys(sheet), [...SHARED, 'header', 'value', 'reason']);
  assert.deepEqual([sheet.row, sheet.ruleId, sheet.column], [3, 'phone-invalid', 'A']);
  const send = sendProblemJson({ ruleId: 'value-tab', message: 'row 2: a tab', row: 2, column: 'full_name', value: 'Bu\tdi' });
  assert.deepEqual(Object.keys(send), [...SHARED, 'value', 'reason']);
  assert.equal(send.severity, 'error');
  // A flag that does not fit the template has no row.
  assert.equal(sendProblemJson({ ruleId: 'param-column', message: '--param 1=nope: no such column' }).row, null);
});

test('a template finding: the line and column of the file, then of the field; the totals count them', () => {
  const [doc] = parseTemplates('{\n  "name": "t",\n  "language": "id",\n  "category": "UTILITY",\n  "body": "Halo  {{1}}, apa kabar?"\n}', 't.json');
  const results = [{ doc: doc!, findings: validateTemplate(doc!) }];
  const f = findingJson(results[0]!.findings[0]!);
  assert.deepEqual(Object.keys(f), [...SHARED, 'field', 'fieldLine', 'fieldColumn']);
  assert.deepEqual([f.row, f.ruleId, f.field, f.fieldLine, f.fieldColumn], [5, 'double-space', 'body', 1, 5]);
  assert.equal(typeof f.column, 'number');
  const report = templateCheckJson(results);
  assert.deepEqual([report.errors, report.warnings, report.templates[0]!.findings.length], [1, 0, 1]);
});
