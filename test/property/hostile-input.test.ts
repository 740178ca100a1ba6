// Hostile and broken input, generated: the template rule engine and the spreadsheet reader must never crash, hang or
// blow up memory; what cannot be read ends in one line naming the problem.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import * as XLSX from 'xlsx';
import { parseTemplates, validateTemplate } from '../../src/core/template-rules/index.js';
import { readSheetBuffer, validateContacts } from '../../src/core/contacts/index.js';
import { InputError } from '../../src/errors.js';
import { loadSheetJs } from '../../src/util/sheetjs.js';
import { DEFAULT_COUNTRY } from '../../src/config/profiles.js';

// Workbooks are read here without readSheet, which loads SheetJS for the CLI.
before(() => loadSheetJs());

let generated = 0;
after(() => console.log(`hostile input: ${generated} inputs generated`));

const oneLine = (e: unknown) => e instanceof InputError && !e.message.includes('\n') && e.message.length < 400;

test('template engine: any Unicode body, name and buttons give findings with valid positions, never a crash', () => {
  const text = fc.string({ unit: 'binary', maxLength: 3000 });
  fc.assert(
    fc.property(text, text, fc.array(fc.record({ type: fc.constantFrom('QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'OTHER'), text: text, url: text }), { maxLength: 14 }), (name, body, buttons) => {
      generated++;
      const json = JSON.stringify({ name, language: 'id', category: 'MARKETING', components: [{ type: 'BODY', text: body }, { type: 'BUTTONS', buttons }] });
      const [doc] = parseTemplates(json, 'gen.json');
      for (const f of validateTemplate(doc!)) {
        assert.ok(f.message.length > 0 && !f.message.includes('\n'));
        if (f.fileLine !== undefined) assert.ok(f.fileLine === 1 && f.fileColumn! >= 1 && f.fileColumn! <= json.length + 1);
      }
    }),
    { numRuns: 300 },
  );
});

test('template engine: broken JSON is always one InputError naming file, line and column', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (s) => {
      generated++;
      try {
        JSON.parse(s);
        return; // valid JSON is not this test's business
      } catch {
        // expected: now our parser must say so in one line
      }
      assert.throws(() => parseTemplates(s, 'x.json'), (e: unknown) => oneLine(e) && /^x\.json:\d+:\d+: invalid JSON/.test((e as Error).message));
    }),
    { numRuns: 400 },
  );
});

// How fast it is lives in bench/hostile; here only that it finishes with the right findings.
test('template engine: a body with 20,000 placeholders is checked whole', () => {
  generated++;
  const body = Array.from({ length: 20000 }, (_, i) => `kata {{${i + 1}}}`).join(' ');
  const findings = validateTemplate(parseTemplates(JSON.stringify({ name: 'big', language: 'id', category: 'UTILITY', body }), 'big.json')[0]!);
  assert.ok(findings.some((f) => f.ruleId === 'body-length'));
  assert.equal(findings.filter((f) => f.ruleId === 'placeholder-sequence').length, 0, 'numbered in order: no sequence finding');
});

test('spreadsheet reader: random CSV bytes either read or fail with one line naming the file', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 4000 }), (bytes) => {
      generated++;
      try {
        const sheet = readSheetBuffer(bytes, 'random.csv');
        const report = validateContacts(sheet, { country: DEFAULT_COUNTRY });
        assert.ok(report.rowsTotal >= 0);
        for (const p of report.problems) assert.ok(!p.message.includes('\n'));
      } catch (e) {
        assert.ok(oneLine(e) && (e as Error).message.startsWith('random.csv'), String(e));
      }
    }),
    { numRuns: 300 },
  );
});

test('spreadsheet reader: binary garbage named .xlsx is one line naming the file', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 4000 }), (bytes) => {
      generated++;
      assert.throws(() => validateContacts(readSheetBuffer(bytes, 'garbage.xlsx'), { country: DEFAULT_COUNTRY }), (e: unknown) => oneLine(e) && (e as Error).message.startsWith('garbage.xlsx'));
    }),
    { numRuns: 150 },
  );
});

test('spreadsheet reader: thousands of columns, huge cells, formulas, merged cells and a hidden first sheet', () => {
  generated += 4;
  const wide = XLSX.utils.aoa_to_sheet([
    ['phone_number', 'full_name', ...Array.from({ length: 3000 }, (_, i) => `c${i}`)],
    ['081234567890', 'x'.repeat(32_767), ...Array.from({ length: 3000 }, (_, i) => String(i))],
    ['081234567891', '=HYPERLINK("http://evil","x")', 'a'],
  ]);
  wide.A3 = { t: 'n', f: '1+1', v: 2 };
  wide['!merges'] = [{ s: { r: 1, c: 2 }, e: { r: 2, c: 3 } }];
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet([['secret']]), 'hidden');
  XLSX.utils.book_append_sheet(wb, wide, 'contacts');
  wb.Workbook = { Sheets: [{ Hidden: 1 }, { Hidden: 0 }] };
  const bytes = XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
  const before = process.memoryUsage().rss;
  const report = validateContacts(readSheetBuffer(bytes, 'wide.xlsx', { sheet: 'contacts' }), { country: DEFAULT_COUNTRY });
  assert.ok(process.memoryUsage().rss - before < 500 * 1024 * 1024, 'bounded memory');
  assert.equal(report.rowsTotal, 2);
  assert.ok(report.problems.some((p) => p.rowNumber === 3 && p.column === 'A'), 'a formula in the phone column is reported');
  assert.equal(report.columns.length, 3002, 'three thousand variables are all kept');
});
