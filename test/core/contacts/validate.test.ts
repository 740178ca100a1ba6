// Every file in fixtures/contacts/ against its hand-written NAME.expected.json.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fixture } from '../../helpers/paths.js';
import { readSheet, validateContacts, SpreadsheetError, type CountryCode } from '../../../src/core/contacts/index.js';
import { DEFAULT_COUNTRY } from '../../../src/config/profiles.js';

interface Expected {
  options?: { sheet?: string; country?: CountryCode };
  summary?: Record<string, number>;
  problems?: { row: number | null; column: string | null; code: string }[];
  phones?: string[];
  error?: string[];
}

const dir = fixture('contacts');
const files = readdirSync(dir).filter((f) => f.endsWith('.expected.json'));

test('the corpus has a fixture for every case listed', () => {
  assert.ok(files.length >= 18, `only ${files.length} expected files`);
  for (const f of files) assert.ok(readdirSync(dir).includes(f.replace(/\.expected\.json$/, '')), `${f} has no fixture`);
});

for (const f of files) {
  const name = f.replace(/\.expected\.json$/, '');
  test(`corpus: ${name}`, async () => {
    const exp = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as Expected;
    const file = path.join(dir, name);
    const run = async () => {
      const sheet = await readSheet(file, exp.options?.sheet ? { sheet: exp.options.sheet } : {});
      return validateContacts(sheet, { country: exp.options?.country ?? DEFAULT_COUNTRY });
    };
    if (exp.error) {
      await assert.rejects(run, (e: unknown) => {
        assert.ok(e instanceof SpreadsheetError, `expected SpreadsheetError, got ${String(e)}`);
        assert.ok(!e.message.includes('\n'), 'error message must be one line');
        for (const part of exp.error!) assert.ok(e.message.includes(part), `"${e.message}" lacks "${part}"`);
        return true;
      });
      return;
    }
    const report = await run();
    const summary = {
      rowsTotal: report.rowsTotal,
      emptyRows: report.emptyRows,
      valid: report.valid.length,
      invalid: report.invalid,
      duplicates: report.duplicates.length,
      errors: report.errors,
      warnings: report.warnings,
    };
    assert.deepEqual(summary, exp.summary);
    const problems = report.problems.map((p) => ({ row: p.rowNumber ?? null, column: p.column ?? null, code: p.code }));
    assert.deepEqual(problems, exp.problems);
    assert.deepEqual(report.valid.map((c) => c.phone_number), exp.phones);
    for (const p of report.problems) {
      assert.ok(!/[\r\n]/.test(p.message), `multi-line message: ${p.message}`);
      if (p.rowNumber !== undefined && p.column !== undefined && p.rowNumber > 1) {
        assert.ok(p.message.includes(`${p.column}${p.rowNumber}`) || p.message.includes(`row ${p.rowNumber}`), `message does not name the cell: ${p.message}`);
      }
    }
  });
}
