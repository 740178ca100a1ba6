// The one-pass check of a sheet (scanContacts) against the report read whole, for every spreadsheet in fixtures/,
// and the streamed digest of the clean CSV against the hash of its bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fixturesDir } from '../../helpers/paths.js';
import {
  CleanCsvDigest,
  readSheet,
  scanContacts,
  SUPPORTED_EXTENSIONS,
  toCsvBuffer,
  validateContacts,
  type ContactReport,
  type CountryCode,
  type NormalisedContact,
} from '../../../src/core/contacts/index.js';
import { DEFAULT_COUNTRY } from '../../../src/config/profiles.js';

function sheets(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sheets(p));
    else if ((SUPPORTED_EXTENSIONS as readonly string[]).includes(path.extname(name).toLowerCase())) out.push(p);
  }
  return out;
}

/** The options a fixture is read with, from its NAME.expected.json where there is one. */
function optionsOf(file: string): { sheet?: string; country?: CountryCode } {
  const exp = `${file}.expected.json`;
  return existsSync(exp) ? ((JSON.parse(readFileSync(exp, 'utf8')) as { options?: { sheet?: string; country?: CountryCode } }).options ?? {}) : {};
}

interface Scanned {
  report: ContactReport;
  handed: NormalisedContact[];
  columnsCalls: number;
  columnsBeforeFirst: boolean;
  digest: string;
}

async function both(file: string): Promise<{ whole: ContactReport; scanned: Scanned } | undefined> {
  const opts = optionsOf(file);
  let sheet;
  try {
    sheet = await readSheet(file, opts.sheet ? { sheet: opts.sheet } : {});
  } catch {
    return undefined; // a file that cannot be read is the corpus test's business
  }
  const country = { country: opts.country ?? DEFAULT_COUNTRY };
  let whole: ContactReport;
  try {
    whole = validateContacts(sheet, country);
  } catch (err) {
    // A sheet refused while it is read is refused the same way by the one-pass check.
    assert.throws(() => scanContacts(sheet, country, () => undefined), { message: (err as Error).message });
    return undefined;
  }
  const handed: NormalisedContact[] = [];
  let columnsCalls = 0;
  let columnsBeforeFirst = false;
  let digest: CleanCsvDigest | undefined;
  const { validCount, ...rest } = scanContacts(
    sheet,
    country,
    (c) => {
      handed.push(c);
      digest!.add(c);
    },
    (c) => {
      columnsCalls++;
      columnsBeforeFirst = handed.length === 0;
      digest = new CleanCsvDigest(c);
    },
  );
  assert.equal(validCount, handed.length, `${file}: validCount is the number handed out`);
  return { whole, scanned: { report: { ...rest, valid: handed }, handed, columnsCalls, columnsBeforeFirst, digest: digest!.hex() } };
}

const files = sheets(fixturesDir);

test('there are spreadsheet fixtures to scan, most of them readable', async () => {
  assert.ok(files.length >= 15, `only ${files.length}`);
  let compared = 0;
  for (const f of files) if (await both(f)) compared++;
  assert.ok(compared >= 12, `only ${compared} fixtures could be compared`);
});

for (const file of files) {
  const name = path.relative(fixturesDir, file);
  test(`scan equals the whole read: ${name}`, async () => {
    const r = await both(file);
    if (!r) return;
    const { whole, scanned } = r;
    assert.deepEqual(scanned.report, whole);
    assert.equal(scanned.columnsCalls, 1, 'onColumns is told once');
    assert.ok(scanned.columnsBeforeFirst, 'onColumns is told before the first contact');
    // Independent of validateContacts: the contacts come in row order, one per number, and each duplicate names the
    // row of the contact that was kept.
    const rows = scanned.handed.map((c) => c.rowNumber);
    assert.deepEqual(rows, [...rows].sort((a, b) => a - b));
    const keptRow = new Map(scanned.handed.map((c) => [c.phone_number, c.rowNumber]));
    assert.equal(keptRow.size, scanned.handed.length, 'no number handed out twice');
    for (const d of whole.duplicates) assert.equal(keptRow.get(d.phone), d.firstRow, `duplicate row ${d.rowNumber}`);
    assert.equal(scanned.digest, createHash('sha256').update(toCsvBuffer(whole)).digest('hex'), 'the streamed digest is the hash of the clean CSV');
  });
}

test('scan and digest over a generated sheet of 6,000 rows with duplicates, invalid rows, quotes, commas and non-ASCII', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-scan-'));
  try {
    const lines = ['phone_number,full_name,kota,catatan'];
    const firstRow = new Map<string, number>();
    let seed = 9;
    const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
    for (let k = 0; k < 6000; k++) {
      const phone = `62812${String(Math.floor(rnd() * 3000)).padStart(8, '0')}`;
      const row = k + 2;
      // A line break in a cell makes its row invalid: such a row is not a first sighting of its number.
      const broken = k % 500 === 7;
      if (!broken && !firstRow.has(phone)) firstRow.set(phone, row);
      lines.push(`${phone},"Budi ""${k}"", Jr.",Bandung,"baris ${k}${broken ? '\n' : ' '}lanjut ñ 🎄"`);
    }
    const file = path.join(dir, 'big.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const r = await both(file);
    assert.ok(r, 'the sheet reads');
    assert.deepEqual(r.scanned.report, r.whole);
    assert.deepEqual(r.scanned.handed.map((c) => [c.phone_number, c.rowNumber]), [...firstRow]);
    assert.equal(r.whole.invalid, 12);
    assert.equal(r.whole.duplicates.length, 6000 - 12 - firstRow.size);
    assert.equal(r.scanned.digest, createHash('sha256').update(toCsvBuffer(r.whole)).digest('hex'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
