// The streaming .xlsx reader against SheetJS on workbooks written by hand: the same cells (t, v, and w where the
// validator reads it), the same sheet names, and refusals in one line naming the file.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import * as XLSX from 'xlsx';
import { fixture } from '../../helpers/paths.js';
import { readSheetBuffer, SpreadsheetError, type Cell } from '../../../src/core/contacts/index.js';
import { openXlsxSheet } from '../../../src/core/contacts/xlsx-stream.js';
import { zipEntries } from '../../../src/core/contacts/zip.js';
import { loadSheetJs } from '../../../src/core/contacts/sheetjs.js';

// Workbooks are read here without readSheet, which loads SheetJS for the CLI.
before(() => loadSheetJs());

/** A zip of the given parts, deflated; `declare` overrides the uncompressed size the headers claim. */
function zip(parts: Record<string, string>, declare: Record<string, number> = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(parts)) {
    const raw = Buffer.from(text, 'utf8');
    const data = deflateRawSync(raw);
    const n = Buffer.from(name);
    const size = declare[name] ?? raw.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(raw), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(n.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(raw), 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size, 24);
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
  return Buffer.concat([...locals, cd, end]);
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const R = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

function workbook(sheets: { name: string; xml: string }[], extra: { sst?: string; styles?: string } = {}): Buffer {
  const parts: Record<string, string> = {
    '[Content_Types].xml': `<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>${sheets.map((_s, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('')}${extra.sst ? '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>' : ''}${extra.styles ? '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' : ''}</Types>`,
    '_rels/.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${R}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    'xl/workbook.xml': `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${NS}" xmlns:r="${R}"><sheets>${sheets.map((s, i) => `<sheet name="${s.name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('')}</sheets></workbook>`,
    'xl/_rels/workbook.xml.rels': `<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">${sheets.map((_s, i) => `<Relationship Id="rId${i + 1}" Type="${R}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('')}${extra.sst ? `<Relationship Id="rS" Type="${R}/sharedStrings" Target="/xl/sharedStrings.xml"/>` : ''}${extra.styles ? `<Relationship Id="rT" Type="${R}/styles" Target="styles.xml"/>` : ''}</Relationships>`,
  };
  sheets.forEach((s, i) => (parts[`xl/worksheets/sheet${i + 1}.xml`] = s.xml));
  if (extra.sst) parts['xl/sharedStrings.xml'] = extra.sst;
  if (extra.styles) parts['xl/styles.xml'] = extra.styles;
  return zip(parts);
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

function sheetJsRows(bytes: Buffer, sheet: string, headerRow: number): unknown[] {
  const wb = XLSX.read(bytes, { type: 'buffer', dense: true, cellDates: false, sheets: sheet });
  const data = (wb.Sheets[sheet]!['!data'] ?? []) as (Cell[] | undefined)[];
  const out: unknown[] = [];
  for (let r = headerRow; r < data.length; r++) out.push([r + 1, Array.from(data[r] ?? [], view)]);
  return out;
}

test('xlsx stream: every kind of cell reads as SheetJS reads it (t, v, the w the validator uses), gaps as empty rows', () => {
  const bytes = workbook([{ name: 'Kontak &amp; data', xml: SHEET }, { name: 'Prefixed', xml: PREFIXED }], { sst: SST, styles: STYLES });
  // The streaming reader reads this workbook itself (SheetJS is not its fallback here).
  assert.ok(openXlsxSheet(zipEntries(bytes), undefined, 1 << 20) && !('missing' in openXlsxSheet(zipEntries(bytes), undefined, 1 << 20)!));
  const s = readSheetBuffer(bytes, 'hand.xlsx');
  assert.deepEqual(s.sheetNames, ['Kontak & data', 'Prefixed']);
  assert.equal(s.headerRow, 2);
  assert.deepEqual(s.headers.map((h) => h.text), ['phone_number', 'full_name', 'kota', '', 'line\ntwo <b>']);
  const mine = [...s.rows].map((r) => [r.rowNumber, Array.from(r.cells, view)]);
  assert.deepEqual(mine, sheetJsRows(bytes, 'Kontak & data', 2));
  // Spot checks that would catch both readers agreeing on something wrong.
  const byRow = new Map([...s.rows].map((r) => [r.rowNumber, r.cells]));
  assert.deepEqual([...byRow.keys()], [3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.equal(byRow.get(3)![1]!.v, ' Budi & Sari ');
  assert.equal(byRow.get(5)![1]!.v, 'Dewi Lestari');
  assert.deepEqual(view(byRow.get(5)![0]), { t: 'n', v: 6281234567890, w: '6.28123E+12' });
  assert.deepEqual(view(byRow.get(6)![0]), { t: 'n', v: 6281234567890, w: '6281234567890' });
  assert.equal(byRow.get(5)![2]!.w, '12.50%');
  assert.equal(byRow.get(6)![3]!.w, '#N/A');
  assert.equal(byRow.get(7)![3]!.v, 'inline');
  assert.deepEqual(byRow.get(4), []);
  // A named sheet with prefixed elements.
  const p = readSheetBuffer(bytes, 'hand.xlsx', { sheet: 'Prefixed' });
  assert.deepEqual([...p.rows].map((r) => [r.rowNumber, Array.from(r.cells, view)]), sheetJsRows(bytes, 'Prefixed', 1));
  assert.throws(
    () => readSheetBuffer(bytes, 'hand.xlsx', { sheet: 'Data' }),
    (e: unknown) => e instanceof SpreadsheetError && e.message === 'hand.xlsx: has no sheet named "Data"; sheets: "Kontak & data", "Prefixed"',
  );
});

test('xlsx stream: the fixtures read as SheetJS reads them', () => {
  for (const name of ['bad-values.xlsx', 'duplicates-empty-rows.xlsx', 'missing-name.xlsx', 'numeric-phones.xlsx', 'uppercase-headers.xlsx', 'two-sheets.xlsx']) {
    const bytes = readFileSync(fixture('contacts', name));
    const opened = openXlsxSheet(zipEntries(bytes), undefined, 1 << 26);
    assert.ok(opened && !('missing' in opened), `${name} is read by the streaming reader`);
    const s = readSheetBuffer(bytes, name);
    assert.deepEqual([...s.rows].map((r) => [r.rowNumber, Array.from(r.cells, view)]), sheetJsRows(bytes, s.sheetName, s.headerRow), name);
  }
});

test('xlsx stream: a row stored after a row below it is refused in one line naming the file, at read or while iterating', () => {
  const head = '<row r="1"><c r="A1" t="inlineStr"><is><t>phone_number</t></is></c><c r="B1" t="inlineStr"><is><t>full_name</t></is></c></row>';
  const row = (n: number): string => `<row r="${n}"><c r="A${n}" t="inlineStr"><is><t>0812345678${n}</t></is></c><c r="B${n}" t="inlineStr"><is><t>N ${n}</t></is></c></row>`;
  const bytes = workbook([{ name: 'S', xml: `<worksheet xmlns="${NS}"><sheetData>${head}${row(3)}${row(2)}</sheetData></worksheet>` }]);
  const s = readSheetBuffer(bytes, 'order.xlsx');
  assert.throws(
    () => [...s.rows],
    (e: unknown) => e instanceof SpreadsheetError && /^order\.xlsx: cannot be read as \.xlsx: .*row 2 is stored after row 3/.test(e.message) && !e.message.includes('\n'),
  );
});

test('xlsx stream: a sheet that inflates past the bound is refused even when its headers declare a small size', () => {
  const rows = Array.from({ length: 20_000 }, (_v, i) => `<row r="${i + 2}"><c r="A${i + 2}" t="inlineStr"><is><t>0812${String(i).padStart(8, '0')}</t></is></c></row>`).join('');
  const xml = `<worksheet xmlns="${NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>phone_number</t></is></c></row>${rows}</sheetData></worksheet>`;
  assert.ok(xml.length > 1 << 20);
  const honest = workbook([{ name: 'S', xml }]);
  assert.equal([...readSheetBuffer(honest, 'big.xlsx').rows].length, 20_000);
  // Same parts, the sheet's declared size a lie: the central directory passes, inflating stops at the bound.
  const entries = zipEntries(honest);
  const lying = zip(
    Object.fromEntries(entries.map((e) => [e.name, Buffer.from(e.method === 8 ? inflateRawSync(e.data) : e.data).toString('utf8')])),
    { 'xl/worksheets/sheet1.xml': 1000 },
  );
  assert.throws(
    () => readSheetBuffer(lying, 'big.xlsx', { maxInflatedBytes: 1 << 20 }),
    (e: unknown) => e instanceof SpreadsheetError && /^big\.xlsx: refused: its parts inflate to more than 1 MB .*WA_MAX_SHEET_MB/.test(e.message),
  );
});

test('xlsx stream: what it does not read (ISO date cells) goes to SheetJS, with the same result as before', () => {
  const xml = `<worksheet xmlns="${NS}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>phone_number</t></is></c><c r="B1" t="inlineStr"><is><t>born</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>081234567890</t></is></c><c r="B2" t="d"><v>2024-01-01T00:00:00Z</v></c></row></sheetData></worksheet>`;
  const bytes = workbook([{ name: 'S', xml }]);
  assert.equal(openXlsxSheet(zipEntries(bytes), undefined, 1 << 20), undefined);
  const s = readSheetBuffer(bytes, 'dates.xlsx');
  const cell = [...s.rows][0]!.cells[1]!;
  assert.equal(cell.t, 'n');
  assert.equal(typeof cell.v, 'number');
});

