import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as XLSX from 'xlsx';
import { fixture } from '../../helpers/paths.js';
import {
  readSheet,
  readSheetBuffer,
  toCsvBuffer,
  toXlsxBuffer,
  validateContacts,
  writeClean,
  SpreadsheetError,
} from '../../../src/core/contacts/index.js';
import { loadSheetJs } from '../../../src/util/sheetjs.js';
import { DEFAULT_COUNTRY } from '../../../src/config/profiles.js';

// Workbooks are read here without readSheet, which loads SheetJS for the CLI.
before(() => loadSheetJs());

const report = async (name: string) => validateContacts(await readSheet(fixture('contacts', name)), { country: DEFAULT_COUNTRY });

test('toCsvBuffer gives the upload bytes written by hand for semicolon-bom-crlf.csv', async () => {
  const r = await report('semicolon-bom-crlf.csv');
  assert.deepEqual(toCsvBuffer(r), readFileSync(fixture('contacts', 'semicolon-bom-crlf.clean.csv')));
});

test('CSV output quotes commas, quotes, line ends and outer spaces, and nothing else', () => {
  const buf = toCsvBuffer({
    columns: ['phone_number', 'full_name', 'note'],
    variableNames: ['note'],
    valid: [{ rowNumber: 2, phone_number: '6281234567890', full_name: 'Santoso, Budi', variables: { note: 'say "hi"' } }],
  });
  assert.equal(buf.toString('utf8'), 'phone_number,full_name,note\r\n6281234567890,"Santoso, Budi","say ""hi"""\r\n');
  assert.notEqual(buf[0], 0xef, 'no BOM');
});

test('the clean CSV reads back to the same contacts with no problems', async () => {
  const r = await report('quoted-newlines.csv');
  const again = validateContacts(readSheetBuffer(toCsvBuffer(r), 'clean.csv'), { country: DEFAULT_COUNTRY });
  assert.equal(again.problems.length, 0);
  assert.deepEqual(again.valid.map(({ rowNumber: _, ...c }) => c), r.valid.map(({ rowNumber: _, ...c }) => c));
});

test('the clean .xlsx has only text cells, normalised headers, and reads back clean', async () => {
  const r = await report('legacy.xls');
  const wb = XLSX.read(toXlsxBuffer(r), { type: 'buffer', dense: true });
  const data = wb.Sheets[wb.SheetNames[0]!]!['!data']!;
  assert.deepEqual(data[0]!.map((c) => c.v), ['phone_number', 'full_name', 'kota']);
  assert.deepEqual(data.slice(1).map((row) => row[0]!.v), ['6281234567890', '6285677778888']);
  for (const row of data) for (const c of row) assert.equal(c.t, 's');
  const again = validateContacts(readSheetBuffer(toXlsxBuffer(r), 'clean.xlsx'), { country: DEFAULT_COUNTRY });
  assert.deepEqual([again.errors, again.warnings, again.valid.length], [0, 0, 2]);
});

test('writeClean picks the format from the extension and refuses others', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wa-contacts-'));
  try {
    const r = await report('uppercase-headers.xlsx');
    await writeClean(r, path.join(dir, 'out.csv'));
    assert.deepEqual(readFileSync(path.join(dir, 'out.csv')), toCsvBuffer(r));
    await writeClean(r, path.join(dir, 'out.xlsx'));
    assert.deepEqual(readFileSync(path.join(dir, 'out.xlsx')).subarray(0, 2).toString('latin1'), 'PK');
    const back = validateContacts(await readSheet(path.join(dir, 'out.xlsx')), { country: DEFAULT_COUNTRY });
    assert.deepEqual(back.valid.map((c) => c.variables), r.valid.map((c) => c.variables));
    await assert.rejects(writeClean(r, path.join(dir, 'out.ods')), (e: unknown) => e instanceof SpreadsheetError && e.message.includes('.csv or .xlsx'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
