import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixture } from '../../helpers/paths.js';
import { zipBomb } from '../../helpers/zip-bomb.js';
import { DEFAULT_MAX_INFLATED_BYTES, readSheet, readSheetBuffer, validateContacts, SpreadsheetError } from '../../../src/core/contacts/index.js';
import { loadSheetJs } from '../../../src/util/sheetjs.js';
import { DEFAULT_COUNTRY } from '../../../src/config/profiles.js';

// Workbooks are read here without readSheet, which loads SheetJS for the CLI.
before(() => loadSheetJs());

test('two-sheets.xlsx: first sheet by default, a named sheet on request, unknown name lists the sheets', async () => {
  const first = await readSheet(fixture('contacts', 'two-sheets.xlsx'));
  assert.equal(first.sheetName, 'Petunjuk');
  assert.deepEqual(first.sheetNames, ['Petunjuk', 'Kontak']);
  const missing = validateContacts(first, { country: DEFAULT_COUNTRY }).problems.filter((p) => p.code === 'header-missing');
  assert.equal(missing.length, 2);
  const named = await readSheet(fixture('contacts', 'two-sheets.xlsx'), { sheet: 'Kontak' });
  assert.equal(named.sheetName, 'Kontak');
  assert.deepEqual(named.headers.map((h) => h.text), ['phone_number', 'full_name', 'kota']);
  await assert.rejects(readSheet(fixture('contacts', 'two-sheets.xlsx'), { sheet: 'Data' }), (e: unknown) => {
    return e instanceof SpreadsheetError && e.message.includes('no sheet named "Data"') && e.message.includes('"Petunjuk", "Kontak"');
  });
});

test('xlsx cells keep their raw type: numeric phone cells are t=n with the value Excel shows in w', async () => {
  const s = await readSheet(fixture('contacts', 'numeric-phones.xlsx'));
  const rows = [...s.rows];
  const byRow = new Map(rows.map((r) => [r.rowNumber, r.cells[0]]));
  assert.deepEqual({ t: byRow.get(3)?.t, v: byRow.get(3)?.v }, { t: 'n', v: 812345678 });
  assert.deepEqual({ t: byRow.get(4)?.t, w: byRow.get(4)?.w }, { t: 'n', w: '6.28123E+12' });
  assert.deepEqual({ t: byRow.get(6)?.t, v: byRow.get(6)?.v }, { t: 's', v: '6.28123E+12' });
});

test('the .xls reader gives the same cells as the .xlsx reader for the same content', async () => {
  const xls = await readSheet(fixture('contacts', 'legacy.xls'));
  assert.equal(xls.format, 'xls');
  assert.deepEqual(xls.headers.map((h) => h.text), ['PHONE', 'NAMA', 'KOTA']);
  const r3 = [...xls.rows].find((r) => r.rowNumber === 3)!;
  assert.equal(r3.cells[0]?.t, 'n');
});

test('a workbook in memory reads like the file; a renamed old .xls is told apart from a text file', async () => {
  const bytes = readFileSync(fixture('contacts', 'uppercase-headers.xlsx'));
  const s = readSheetBuffer(bytes, 'upload.xlsx');
  assert.equal(s.file, 'upload.xlsx');
  assert.equal([...s.rows].length, 3);
  const xls = readFileSync(fixture('contacts', 'legacy.xls'));
  assert.throws(() => readSheetBuffer(xls, 'renamed.xlsx'), /renamed\.xlsx: is not an Excel \.xlsx file \(it is an old \.xls workbook; rename it to \.xls\)/);
  assert.throws(() => readSheetBuffer(Buffer.from('hello'), 'x.xls'), /x\.xls: is not an Excel \.xls file \(it is plain text/);
});

test('a missing file is a one-line error naming it', async () => {
  await assert.rejects(
    readSheet('/nonexistent/list.xlsx'),
    (e: unknown) => e instanceof SpreadsheetError && e.message === '/nonexistent/list.xlsx: cannot read the file (no such file)',
  );
});

test('an .xlsx whose parts inflate past the bound is refused in one line naming the file, whatever sizes it declares', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-bomb-'));
  const max = 4 * 1024 * 1024;
  // Honest headers: refused from the central directory, nothing inflated.
  const honest = path.join(dir, 'honest.xlsx');
  writeFileSync(honest, zipBomb(16 * 1024 * 1024));
  // Lying headers (1 KB declared): refused while inflating, as soon as the running total passes the bound.
  const lying = path.join(dir, 'lying.xlsx');
  writeFileSync(lying, zipBomb(16 * 1024 * 1024, { declared: 1024 }));
  for (const file of [honest, lying]) {
    await assert.rejects(readSheet(file, { maxInflatedBytes: max }), (e: unknown) => {
      assert.ok(e instanceof SpreadsheetError);
      assert.match(e.message, /^.*(honest|lying)\.xlsx: refused: its parts inflate to more than 4 MB .*WA_MAX_SHEET_MB/);
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
  }
  assert.throws(() => readSheetBuffer(readFileSync(honest), 'honest.xlsx', { maxInflatedBytes: max }), /honest\.xlsx: refused/);
  // Under a bound it fits, the same bytes reach SheetJS (which finds no workbook in them).
  await assert.rejects(readSheet(lying, { maxInflatedBytes: 64 * 1024 * 1024 }), (e: unknown) => e instanceof SpreadsheetError && !/refused/.test(e.message));
  // A real workbook stays well under the default bound.
  assert.ok(DEFAULT_MAX_INFLATED_BYTES >= 200 * 1024 * 1024);
  assert.equal((await readSheet(fixture('contacts', 'two-sheets.xlsx'))).sheetName, 'Petunjuk');
  await assert.rejects(readSheet(fixture('contacts', 'two-sheets.xlsx'), { maxInflatedBytes: 1000 }), /two-sheets\.xlsx: refused/);
});
