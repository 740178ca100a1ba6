// Writes the contact-spreadsheet corpus in fixtures/contacts/ (committed; run again only to change it):
//   node dist/test/helpers/make-fixtures.js
// Workbooks are written by SheetJS, CSVs byte by byte. Each fixture's expected report is written by hand below.
import { mkdirSync, writeFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as XLSX from 'xlsx';
import { fixture } from './paths.js';

const dir = fixture('contacts');
mkdirSync(dir, { recursive: true });

type P = [row: number | null, column: string | null, code: string];
interface Expected {
  options?: { sheet?: string; country?: string };
  summary?: { rowsTotal: number; emptyRows: number; valid: number; invalid: number; duplicates: number; errors: number; warnings: number };
  problems?: { row: number | null; column: string | null; code: string }[];
  /** Normalised phone numbers of the valid contacts, in order. */
  phones?: string[];
  /** A SpreadsheetError is expected; its message contains each of these. */
  error?: string[];
}

function expect(name: string, e: Omit<Expected, 'problems'> & { problems?: P[] }): void {
  const out: Expected = { ...e, problems: e.problems?.map(([row, column, code]) => ({ row, column, code })) };
  if (!e.problems) delete out.problems;
  writeFileSync(path.join(dir, `${name}.expected.json`), JSON.stringify(out, null, 2) + '\n');
}

type CellIn = string | number | null | XLSX.CellObject;
function book(sheets: Record<string, CellIn[][]>, file: string, bookType: XLSX.BookType = 'xlsx'): void {
  const wb = XLSX.utils.book_new();
  for (const [name, rows] of Object.entries(sheets)) XLSX.utils.book_append_sheet(wb, XLSX.utils.aoa_to_sheet(rows), name);
  writeFileSync(path.join(dir, file), XLSX.write(wb, { type: 'buffer', bookType, compression: true }) as Buffer);
}
const bytes = (file: string, b: Buffer | string): void => writeFileSync(path.join(dir, file), b);

// ---- uppercase headers, phones typed in the usual ways ----
book(
  {
    Sheet1: [
      ['PHONE_NUMBER', 'Full Name', 'City', 'Kode Promo'],
      ['0812-3456-7890', 'Budi Santoso', 'Jakarta', 'A1'],
      ['+62 813 1111 2222', 'Siti Aminah', 'Bandung', 'B2'],
      ['(0857) 12345678', 'Agus', 'Surabaya', 'C3'],
    ],
  },
  'uppercase-headers.xlsx',
);
expect('uppercase-headers.xlsx', {
  summary: { rowsTotal: 3, emptyRows: 0, valid: 3, invalid: 0, duplicates: 0, errors: 0, warnings: 4 },
  problems: [[1, 'A', 'header-case'], [1, 'B', 'header-space'], [1, 'C', 'header-case'], [1, 'D', 'header-space']],
  phones: ['6281234567890', '6281311112222', '6285712345678'],
});

// ---- phone numbers Excel has damaged ----
book(
  {
    Sheet1: [
      ['phone_number', 'full_name'],
      ['081234567890', 'Ani'],
      [812345678, 'Budi'], // leading zero lost
      [6281234567891, 'Citra'], // General format: Excel shows 6.28123E+12
      [{ t: 'n', v: 6281234567892, z: '0' }, 'Dedi'], // exact, but a number: read, with a warning
      ['6.28123E+12', 'Eka'], // the scientific text itself was saved
      [62812345678901234, 'Fajar'], // past 15 digits: rounded
      ['0812-ABCD', 'Gita'],
      ['', 'Hadi'],
      ['0812 9999 8888', ''],
      ['0812345', 'Indra'],
    ],
  },
  'numeric-phones.xlsx',
);
expect('numeric-phones.xlsx', {
  summary: { rowsTotal: 10, emptyRows: 0, valid: 2, invalid: 8, duplicates: 0, errors: 8, warnings: 1 },
  problems: [
    [3, 'A', 'phone-leading-zero-lost'],
    [4, 'A', 'phone-scientific'],
    [5, 'A', 'phone-numeric-cell'],
    [6, 'A', 'phone-scientific'],
    [7, 'A', 'phone-precision'],
    [8, 'A', 'phone-invalid'],
    [9, 'A', 'phone-missing'],
    [10, 'B', 'name-missing'],
    [11, 'A', 'phone-invalid'],
  ],
  phones: ['6281234567890', '6281234567892'],
});

// ---- values that break sends ----
book(
  {
    Sheet1: [
      ['phone_number', 'full_name', 'city', 'company'],
      ['081211112222', 'Budi\nSantoso', 'Jakarta', 'PT Maju'],
      ['081211113333', 'Siti', 'Jakarta\tSelatan', 'PT Maju'],
      ['081211114444', 'Agus', 'Bandung', 'PT Maju     Jaya'],
      ['081211115555', '  Dewi  ', 'Medan', 'PT Maju    Jaya'],
      ['081211116666', 'Eko', { t: 'e', v: 0x2a }, 'PT Maju'],
      ['0812 1111 7777\n', 'Fina', 'Solo', 'PT Maju'],
    ],
  },
  'bad-values.xlsx',
);
expect('bad-values.xlsx', {
  summary: { rowsTotal: 6, emptyRows: 0, valid: 1, invalid: 5, duplicates: 0, errors: 5, warnings: 0 },
  problems: [[2, 'B', 'value-line-break'], [3, 'C', 'value-tab'], [4, 'D', 'value-spaces'], [6, 'C', 'value-cell-error'], [7, 'A', 'value-line-break']],
  phones: ['6281211115555'],
});

// ---- duplicates in different spellings, empty rows ----
book(
  {
    Sheet1: [
      ['phone_number', 'full_name', 'city'],
      ['081234567890', 'Budi', 'Jakarta'],
      [],
      ['+62 812-3456-7890', 'Budi S', 'Jakarta'],
      ['', '   ', ''],
      ['6281234567890', 'Budi Santoso', ''],
      ['085711112222', 'Rina', 'Bogor'],
      ['0857-1111-2222', 'Rina K', 'Bogor'],
      ['0812345', 'X', ''],
      ['', '', ''],
    ],
  },
  'duplicates-empty-rows.xlsx',
);
expect('duplicates-empty-rows.xlsx', {
  summary: { rowsTotal: 6, emptyRows: 3, valid: 2, invalid: 1, duplicates: 3, errors: 1, warnings: 3 },
  problems: [[4, 'A', 'duplicate'], [6, 'A', 'duplicate'], [8, 'A', 'duplicate'], [9, 'A', 'phone-invalid']],
  phones: ['6281234567890', '6285711112222'],
});

// ---- no full_name column ----
book({ Sheet1: [['no hp', 'kota'], ['081234567890', 'Jakarta'], ['081298765432', 'Bandung']] }, 'missing-name.xlsx');
expect('missing-name.xlsx', {
  summary: { rowsTotal: 2, emptyRows: 0, valid: 0, invalid: 2, duplicates: 0, errors: 1, warnings: 1 },
  problems: [[1, 'A', 'header-alias'], [1, null, 'header-missing']],
  phones: [],
});

// ---- contacts on the second sheet ----
book(
  {
    Petunjuk: [['Isi data di sheet Kontak'], ['Nomor dengan kode negara, tanpa +']],
    Kontak: [
      ['phone_number', 'full_name', 'kota'],
      ['081234567890', 'Budi', 'Jakarta'],
      ['081298765432', 'Siti', 'Bandung'],
    ],
  },
  'two-sheets.xlsx',
);
expect('two-sheets.xlsx', {
  options: { sheet: 'Kontak' },
  summary: { rowsTotal: 2, emptyRows: 0, valid: 2, invalid: 0, duplicates: 0, errors: 0, warnings: 0 },
  problems: [],
  phones: ['6281234567890', '6281298765432'],
});

// ---- old Excel 97-2003 workbook ----
book(
  {
    Kontak: [
      ['PHONE', 'NAMA', 'KOTA'],
      ['081234567890', 'Budi', 'Jakarta'],
      [81298765432, 'Siti', 'Bandung'],
      ['0813-1111-2222', 'Agus\nSalim', 'Medan'],
      ['+62 812 3456 7890', 'Budi lagi', 'Jakarta'],
      [],
      ['0856 7777 8888', 'Wati', 'Solo'],
    ],
  },
  'legacy.xls',
  'biff8',
);
expect('legacy.xls', {
  summary: { rowsTotal: 5, emptyRows: 1, valid: 2, invalid: 2, duplicates: 1, errors: 2, warnings: 4 },
  problems: [[1, 'A', 'header-alias'], [1, 'B', 'header-alias'], [1, 'C', 'header-case'], [3, 'A', 'phone-leading-zero-lost'], [4, 'B', 'value-line-break'], [5, 'A', 'duplicate']],
  phones: ['6281234567890', '6285677778888'],
});

// ---- Indonesian Excel "CSV UTF-8": BOM, semicolons, CRLF, decimal comma ----
const BOM8 = Buffer.from([0xef, 0xbb, 0xbf]);
bytes(
  'semicolon-bom-crlf.csv',
  Buffer.concat([
    BOM8,
    Buffer.from(
      [
        'Nomor HP;Nama Lengkap;Kota;Saldo',
        '0812-3456-7890;Budi Santoso;Jakarta;"1.500.000,50"',
        '6,28123E+12;Siti;Bandung;200',
        '"0813 1111 2222";"Agus; Salim";Medan;0',
        ';;;',
        '085711112222;Rina;"Bogor";10',
        '',
      ].join('\r\n'),
      'utf8',
    ),
  ]),
);
expect('semicolon-bom-crlf.csv', {
  summary: { rowsTotal: 4, emptyRows: 1, valid: 3, invalid: 1, duplicates: 0, errors: 1, warnings: 4 },
  problems: [[1, 'A', 'header-alias'], [1, 'B', 'header-alias'], [1, 'C', 'header-case'], [1, 'D', 'header-case'], [3, 'A', 'phone-scientific']],
  phones: ['6281234567890', '6281311112222', '6285711112222'],
});
// The bytes an upload of that file sends, written out by hand.
bytes(
  'semicolon-bom-crlf.clean.csv',
  'phone_number,full_name,kota,saldo\r\n' +
    '6281234567890,Budi Santoso,Jakarta,"1.500.000,50"\r\n' +
    '6281311112222,Agus; Salim,Medan,0\r\n' +
    '6285711112222,Rina,Bogor,10\r\n',
);

// ---- Excel "Unicode Text": UTF-16LE with BOM, tab separated, CRLF ----
const unicodeText = [
  'phone_number\tfull_name\tcity',
  '081234567890\tZoë Ananda\tJakarta',
  '+62 812 9999 0000\tNguyễn Văn An\tHà Nội',
  '"0813 2222 3333"\t"Budi ""Bos"" Santoso"\tSurabaya',
  '0812\tShort\tX',
  '',
].join('\r\n');
bytes('unicode-text.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(unicodeText, 'utf16le')]));
expect('unicode-text.csv', {
  summary: { rowsTotal: 4, emptyRows: 0, valid: 3, invalid: 1, duplicates: 0, errors: 1, warnings: 0 },
  problems: [[5, 'A', 'phone-invalid']],
  phones: ['6281234567890', '6281299990000', '6281322223333'],
});

// ---- quoted fields with line breaks (one Excel row each), quotes and commas ----
bytes(
  'quoted-newlines.csv',
  [
    'phone_number,full_name,address,note',
    '081234567890,"Santoso, Budi","Jl. Merdeka 1\nJakarta",ok',
    '081298765432,Siti,"Jl. Sudirman, Bandung","said ""hi"""',
    '"0813\n11112222",Agus,Medan,x',
    '081377778888,Dewi,Solo,"line one\nline two"',
    '',
  ].join('\n'),
);
expect('quoted-newlines.csv', {
  summary: { rowsTotal: 4, emptyRows: 0, valid: 1, invalid: 3, duplicates: 0, errors: 3, warnings: 0 },
  problems: [[2, 'C', 'value-line-break'], [4, 'A', 'value-line-break'], [5, 'D', 'value-line-break']],
  phones: ['6281298765432'],
});

// ---- header problems of every kind ----
bytes(
  'header-problems.csv',
  [
    'Phone Number,Full Name,Kota Asal Pelanggan Lama,city,City,,x,Email Address',
    '081234567890,Budi,Jakarta,Jkt,JKT,,1,budi@example.com',
    '081298765432,Siti,Bandung,Bdg,BDG,extra,2,siti@example.com',
    '',
  ].join('\r\n'),
);
expect('header-problems.csv', {
  summary: { rowsTotal: 2, emptyRows: 0, valid: 2, invalid: 0, duplicates: 0, errors: 4, warnings: 3 },
  problems: [
    [1, 'A', 'header-space'],
    [1, 'B', 'header-space'],
    [1, 'C', 'header-invalid'],
    [1, 'E', 'header-duplicate'],
    [1, 'G', 'header-invalid'],
    [1, 'H', 'header-space'],
    [3, 'F', 'header-empty'],
  ],
  phones: ['6281234567890', '6281298765432'],
});

// ---- two columns that could each be the phone number ----
bytes('ambiguous-phone.csv', 'nomor,whatsapp,nama\n1,081234567890,Budi\n');
expect('ambiguous-phone.csv', {
  summary: { rowsTotal: 1, emptyRows: 0, valid: 0, invalid: 1, duplicates: 0, errors: 2, warnings: 1 },
  problems: [[1, 'A', 'header-ambiguous'], [1, 'C', 'header-alias'], [1, null, 'header-missing']],
  phones: [],
});

// ---- an old "CSV (Comma delimited)" save in the ANSI code page ----
bytes('windows-1252.csv', Buffer.from('phone_number,full_name\r\n081234567890,Jos\xe9 Rizal\r\n', 'latin1'));
expect('windows-1252.csv', {
  summary: { rowsTotal: 1, emptyRows: 0, valid: 1, invalid: 0, duplicates: 0, errors: 0, warnings: 1 },
  problems: [[null, null, 'csv-encoding']],
  phones: ['6281234567890'],
});

// ---- files that are not readable spreadsheets ----
bytes('fake.xlsx', 'phone_number,full_name\n081234567890,Budi\n');
expect('fake.xlsx', { error: ['fake.xlsx', 'is not an Excel .xlsx file', 'rename it to .csv'] });
const whole = readFileSync(path.join(dir, 'uppercase-headers.xlsx'));
bytes('truncated.xlsx', whole.subarray(0, Math.floor(whole.length / 2)));
expect('truncated.xlsx', { error: ['truncated.xlsx', 'damaged or incomplete'] });
bytes('empty.csv', '');
expect('empty.csv', { error: ['empty.csv', 'the file is empty'] });
bytes('no-header.csv', '081234567890,Budi\n081298765432,Siti\n');
expect('no-header.csv', { error: ['no-header.csv', 'has no header row'] });
bytes('unclosed-quote.csv', 'phone_number,full_name\n081234567890,Budi\n081298765432,"Siti\n');
expect('unclosed-quote.csv', { error: ['unclosed-quote.csv', 'row 3', 'never closed'] });

console.log(`fixtures written to ${dir}`);
