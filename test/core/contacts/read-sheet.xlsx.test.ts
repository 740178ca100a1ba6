// Reading .xlsx workbooks written by hand, through SheetJS behind the size cap: every kind of cell keeps its type,
// value and the text Excel shows; the cap counts what SheetJS will allocate, whatever sizes the zip declares where.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { readSheet, readSheetBuffer, validateContacts, SpreadsheetError, type Cell } from '../../../src/core/contacts/index.js';
import { loadSheetJs } from '../../../src/util/sheetjs.js';
import { DEFAULT_COUNTRY } from '../../../src/config/profiles.js';

// Workbooks are read here without readSheet, which loads SheetJS for the CLI.
before(() => loadSheetJs());

/** How a part is written: sizes the headers claim instead of the true ones, the stream cut short. */
interface Lie {
  /** Uncompressed size in the local header / central directory. */
  local?: number;
  central?: number;
  /** Compressed size in both headers. */
  compressed?: number;
  /** Deflated bytes written instead of the part's own. */
  data?: Buffer;
}

/** A zip of the given parts, deflated, as Excel writes one unless `lies` says otherwise. */
function zip(parts: Record<string, string>, lies: Record<string, Lie> = {}, trailer = Buffer.alloc(0)): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(parts)) {
    const raw = Buffer.from(text, 'utf8');
    const lie = lies[name] ?? {};
    const data = lie.data ?? deflateRawSync(raw);
    const n = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(raw), 14);
    local.writeUInt32LE(lie.compressed ?? data.length, 18);
    local.writeUInt32LE(lie.local ?? raw.length, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(raw), 16);
    central.writeUInt32LE(lie.compressed ?? data.length, 20);
    central.writeUInt32LE(lie.central ?? raw.length, 24);
    central.writeUInt16LE(n.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, n, data);
    centrals.push(central, n);
    offset += 30 + n.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(Object.keys(parts).length, 8);
  end.writeUInt16LE(Object.keys(parts).length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end, trailer]);
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

function workbook(sheets: { name: string; xml: string }[], extra: { sst?: string; styles?: string } = {}): Buffer {
  return zip(workbookParts(sheets, extra));
}

function workbookParts(sheets: { name: string; xml: string }[], extra: { sst?: string; styles?: string } = {}): Record<string, string> {
  const parts: Record<string, string> = {
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${sheets.map((_s, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('')}${extra.sst ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' : ''}${extra.styles ? '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' : ''}</Types>`,
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${R}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${R}"><sheets>${sheets.map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets.map((_s, i) => `<Relationship Id="rId${i + 1}" Type="${R}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('')}${extra.sst ? `<Relationship Id="rS" Type="${R}/sharedStrings" Target="/xl/sharedStrings.xml"/>` : ''}${extra.styles ? `<Relationship Id="rT" Type="${R}/styles" Target="styles.xml"/>` : ''}</Relationships>`,
  };
  sheets.forEach((s, i) => (parts[`xl/worksheets/sheet${i + 1}.xml`] = s.xml));
  if (extra.sst) parts['xl/sharedStrings.xml'] = extra.sst;
  if (extra.styles) parts['xl/styles.xml'] = extra.styles;
  return parts;
}

const SST = `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${NS}" count="6" uniqueCount="6">
<si><t>phone_number</t></si><si><t>full_name</t></si><si><t xml:space="preserve"> Budi &amp; Sari </t></si>
<si><r><rPr><b/></rPr><t>Dewi</t></r><r><t xml:space="preserve"> Lestari</t></r><rPh sb="0" eb="1"><t>でうぃ</t></rPh></si>
<si><t>0812 3456 7890</t></si><si><t>line_x000D_&#10;two &lt;b&gt;</t></si></sst>`;

const STYLES = `<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="${NS}"><numFmts count="1"><numFmt numFmtId="164" formatCode="0"/></numFmts>
<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="164" applyNumberFormat="1"/><xf numFmtId="10" applyNumberFormat="1"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="49" applyNumberFormat="1"/></cellXfs></styleSheet>`;

// Header, then rows with every cell kind: shared, rich and inline strings, formula text, numbers in General, in a
// custom "0" format, as a percentage and a date, booleans, errors, a cell with a style but no value; gaps between rows.
const SHEET = `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${NS}"><dimension ref="A2:E12"/><sheetData>
<row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="inlineStr"><is><t>kota</t></is></c><c r="E2" t="s"><v>5</v></c></row>
<row r="3"><c r="A3" t="s"><v>4</v></c><c r="B3" t="s"><v>2</v></c><c r="C3" t="str"><f>UPPER("x")</f><v>X &amp; Y</v></c><c r="D3" s="2"/><c r="E3" t="s"><v></v></c><c r="F3" t="e"/></row>
<row r="5"><c r="A5"><v>6281234567890</v></c><c r="B5" t="s"><v>3</v></c><c r="C5" s="2"><v>0.125</v></c><c r="D5" s="3"><v>45292</v></c></row>
<row r="6"><c r="A6" s="1"><v>6281234567890</v></c><c r="B6" t="b"><v>1</v></c><c r="C6" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="D6" t="e"><v>#N/A</v></c></row>
<row r="7"><c r="A7"><v>0.1</v></c><c r="B7"><v>-12.5</v></c><c r="C7" s="4"><v>812</v></c><c r="D7" t="inlineStr"><is><r><t>in</t></r><r><t>line</t></r></is></c></row>
<row r="9" spans="1:2"><c t="b"><v>0</v></c><c><v>1E+21</v></c></row>
<row r="12"><c r="B12" t="s"><v>2</v></c></row>
<row r="13"><c r="A13" s="1"/></row>
</sheetData></worksheet>`;

// The same kind of content with a namespace prefix on every element, as some generators write it.
const PREFIXED = `<?xml version="1.0" encoding="UTF-8"?><x:worksheet xmlns:x="${NS}"><x:sheetData>
<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>phone_number</x:t></x:is></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>full_name</x:t></x:is></x:c></x:row>
<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>081234567890</x:t></x:is></x:c><x:c r="B2" t="s"><x:v>3</x:v></x:c></x:row>
</x:sheetData></x:worksheet>`;

const view = (c: Cell | undefined): unknown => (c === undefined ? null : { t: c.t, v: c.v, ...(c.t === 's' ? {} : { w: c.w }) });
// As Excel shows them: a number in General as 6.28123E+12, the same in a "0" format in full, 12.50%, a date.
const EXPECTED_ROWS = [
  [3, [{ t: 's', v: '0812 3456 7890' }, { t: 's', v: ' Budi & Sari ' }, { t: 's', v: 'X & Y' }, null, null, { t: 'e', v: undefined, w: undefined }]],
  [4, []],
  [5, [{ t: 'n', v: 6281234567890, w: '6.28123E+12' }, { t: 's', v: 'Dewi Lestari' }, { t: 'n', v: 0.125, w: '12.50%' }, { t: 'n', v: 45292, w: '1/1/24' }]],
  [6, [{ t: 'n', v: 6281234567890, w: '6281234567890' }, { t: 'b', v: true, w: 'TRUE' }, { t: 'e', v: 7, w: '#DIV/0!' }, { t: 'e', v: 42, w: '#N/A' }]],
  [7, [{ t: 'n', v: 0.1, w: '0.1' }, { t: 'n', v: -12.5, w: '-12.5' }, { t: 'n', v: 812, w: '812' }, { t: 's', v: 'inline' }]],
  [8, []],
  [9, [{ t: 'b', v: false, w: 'FALSE' }, { t: 'n', v: 1e21, w: '1E+21' }]],
  [10, []],
  [11, []],
  [12, [null, { t: 's', v: ' Budi & Sari ' }]],
];
const rowsOf = (s: ReturnType<typeof readSheetBuffer>): unknown[] => [...s.rows].map((r) => [r.rowNumber, Array.from(r.cells, view)]);

test('xlsx: every kind of cell keeps its type, its value and the text Excel shows; gaps are empty rows', () => {
  const bytes = workbook([{ name: 'Kontak &amp; data', xml: SHEET }, { name: 'Prefixed', xml: PREFIXED }], { sst: SST, styles: STYLES });
  const s = readSheetBuffer(bytes, 'hand.xlsx');
  assert.deepEqual(s.sheetNames, ['Kontak & data', 'Prefixed']);
  assert.equal(s.headerRow, 2);
  assert.deepEqual(s.headers.map((h) => h.text), ['phone_number', 'full_name', 'kota', '', 'line\ntwo <b>']);
  assert.deepEqual(rowsOf(s), EXPECTED_ROWS);
  // A number stored as a number and shown in scientific notation is reported as such; shown in full it is not.
  const report = validateContacts(s, { country: DEFAULT_COUNTRY });
  assert.deepEqual(
    report.problems.filter((p) => p.column === 'A').map((p) => [p.rowNumber, p.code]),
    [[5, 'phone-scientific'], [6, 'phone-numeric-cell'], [7, 'phone-precision'], [9, 'phone-invalid'], [12, 'phone-missing']],
  );
  // A named sheet with prefixed elements.
  const p = readSheetBuffer(bytes, 'hand.xlsx', { sheet: 'Prefixed' });
  assert.deepEqual(rowsOf(p), [[2, [{ t: 's', v: '081234567890' }, { t: 's', v: 'Dewi Lestari' }]]]);
  assert.throws(
    () => readSheetBuffer(bytes, 'hand.xlsx', { sheet: 'Data' }),
    (e: unknown) => e instanceof SpreadsheetError && e.message === 'hand.xlsx: has no sheet named "Data"; sheets: "Kontak & data", "Prefixed"',
  );
});

test('xlsx: rows stored out of order come out in sheet order; ISO date cells are numbers as Excel stores dates', () => {
  const head = '<row r="1"><c r="A1" t="inlineStr"><is><t>phone_number</t></is></c><c r="B1" t="inlineStr"><is><t>born</t></is></c></row>';
  const row = (n: number): string => `<row r="${n}"><c r="A${n}" t="inlineStr"><is><t>0812345678${n}</t></is></c><c r="B${n}" t="d"><v>2024-01-0${n}T00:00:00Z</v></c></row>`;
  const s = readSheetBuffer(workbook([{ name: 'S', xml: `<worksheet xmlns="${NS}"><sheetData>${head}${row(3)}${row(2)}</sheetData></worksheet>` }]), 'order.xlsx');
  const rows = [...s.rows];
  assert.deepEqual(rows.map((r) => [r.rowNumber, r.cells[0]?.v]), [[2, '08123456782'], [3, '08123456783']]);
  assert.equal(rows[0]!.cells[1]!.t, 'n');
  assert.equal(rows[0]!.cells[1]!.v, 45293);
});

/** A workbook whose sheet is 20,000 rows (about 1.3 MB of XML), with its parts as written. */
function bigWorkbook(): { parts: Record<string, string>; sheet: string } {
  const rows = Array.from({ length: 20_000 }, (_v, i) => `<row r="${i + 2}"><c r="A${i + 2}" t="inlineStr"><is><t>0812${String(i).padStart(8, '0')}</t></is></c></row>`).join('');
  const sheet = `<worksheet xmlns="${NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>phone_number</t></is></c></row>${rows}</sheetData></worksheet>`;
  return { parts: workbookParts([{ name: 'S', xml: sheet }]), sheet: 'xl/worksheets/sheet1.xml' };
}

async function readFromDisk(bytes: Buffer, name: string, maxInflatedBytes: number): Promise<unknown> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-xlsx-'));
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  return readSheet(file, { maxInflatedBytes }).then(
    (s) => [...s.rows].length,
    (e: unknown) => {
      assert.ok(e instanceof SpreadsheetError, String(e));
      assert.ok(e.message.startsWith(file + ': ') && !e.message.includes('\n'), e.message);
      return e.message.slice(file.length + 2);
    },
  );
}

test('xlsx: the size cap counts what SheetJS allocates, whichever header lies', async () => {
  const { parts, sheet } = bigWorkbook();
  const MB = 1 << 20;
  const size = Buffer.byteLength(parts[sheet]!);
  assert.ok(size > MB && size < 2 * MB);
  const refused = /^refused: its parts inflate to more than 1 MB .*WA_MAX_SHEET_MB raises the bound$/;
  // Honest: read under a bound it fits, refused under one it does not, in memory and from disk.
  assert.equal(await readFromDisk(zip(parts), 'honest.xlsx', 4 * MB), 20_000);
  assert.match(String(await readFromDisk(zip(parts), 'honest.xlsx', MB)), refused);
  assert.throws(() => readSheetBuffer(zip(parts), 'honest.xlsx', { maxInflatedBytes: MB }), /honest\.xlsx: refused/);
  // Both headers declare 1 KB: the part is inflated to see, and refused as soon as it passes the bound.
  assert.match(String(await readFromDisk(zip(parts, { [sheet]: { local: 1000, central: 1000 } }), 'lying.xlsx', MB)), refused);
  // The central directory declares 1 KB, the local header (which SheetJS allocates by) 100 MB.
  const local = zip(parts, { [sheet]: { local: 100 * MB, central: 1000 } });
  assert.match(String(await readFromDisk(local, 'local.xlsx', 4 * MB)).replace('4 MB', '1 MB'), refused);
  assert.throws(() => readSheetBuffer(local, 'local.xlsx', { maxInflatedBytes: 4 * MB }), /local\.xlsx: refused/);
  // The compressed size says 10 bytes; SheetJS inflates to the end of the stream all the same.
  assert.match(String(await readFromDisk(zip(parts, { [sheet]: { compressed: 10, local: 0, central: 0 } }), 'short.xlsx', MB)), refused);
  // A stream cut short is refused as damaged here: SheetJS's own inflater would read on into what follows it.
  const cut = deflateRawSync(Buffer.from(parts[sheet]!)).subarray(0, 1000);
  assert.match(String(await readFromDisk(zip(parts, { [sheet]: { data: cut } }), 'cut.xlsx', 4 * MB)), /^cannot be read as \.xlsx: the file is damaged or incomplete \(a part does not inflate: /);
  // The end record is found where SheetJS finds it, however much follows it.
  const trailer = Buffer.alloc(100_000, 0x20);
  assert.match(String(await readFromDisk(zip(parts, {}, trailer), 'trailer.xlsx', MB)), refused);
});
