import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSheetBuffer, SpreadsheetError, type SheetData } from '../../../src/core/contacts/index.js';

const texts = (sheet: SheetData): string[][] => [...sheet.rows].map((r) => r.cells.map((c) => String(c?.v ?? '')));

test('delimiter is detected on the header line, outside quotes', () => {
  const semi = readSheetBuffer(Buffer.from('"a,b";c;d\n1;2;3\n'), 'x.csv');
  assert.equal(semi.delimiter, ';');
  assert.deepEqual(semi.headers.map((h) => h.text), ['a,b', 'c', 'd']);
  const tab = readSheetBuffer(Buffer.from('a\tb\tc,d\n1\t2\t3,4\n'), 'x.csv');
  assert.equal(tab.delimiter, '\t');
  assert.deepEqual(texts(tab), [['1', '2', '3,4']]);
  // A tie goes to the comma.
  assert.equal(readSheetBuffer(Buffer.from('a;b,c\n'), 'x.csv').delimiter, ',');
  const comma = readSheetBuffer(Buffer.from('phone_number,full_name\n'), 'x.csv');
  assert.equal(comma.delimiter, ',');
});

test("Excel's sep= hint line sets the delimiter and is not a row", () => {
  const s = readSheetBuffer(Buffer.from('sep=;\r\nphone_number;full_name\r\n0812;Budi\r\n'), 'x.csv');
  assert.equal(s.delimiter, ';');
  assert.equal(s.headerRow, 1);
  assert.deepEqual([...s.rows].map((r) => r.rowNumber), [2]);
});

test('a sep= line naming a delimiter that is not one ASCII character is refused in one line naming the file', () => {
  assert.throws(
    () => readSheetBuffer(Buffer.from('sep=§\nphone_number§full_name\n0812§Budi\n'), 'list.csv'),
    (e: unknown) => e instanceof SpreadsheetError && /^list\.csv: its first line sep=§ names a delimiter that is not an ASCII character; use , ; or tab$/.test(e.message),
  );
});

test('encodings: UTF-8 BOM, UTF-16LE and UTF-16BE with BOM, UTF-16LE without BOM', () => {
  const csv = 'phone_number,full_name\r\n081234567890,Zoë\r\n';
  const variants: Array<[Buffer, string]> = [
    [Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv)]), 'utf-8'],
    [Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(csv, 'utf16le')]), 'utf-16le'],
    [Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(csv, 'utf16le').swap16()]), 'utf-16be'],
    [Buffer.from(csv, 'utf16le'), 'utf-16le'],
  ];
  for (const [bytes, enc] of variants) {
    const s = readSheetBuffer(bytes, 'x.csv');
    assert.equal(s.encoding, enc);
    assert.equal(s.headers[0]!.text, 'phone_number', enc);
    assert.deepEqual(texts(s), [['081234567890', 'Zoë']], enc);
  }
});

test('records: CRLF, LF and CR endings, quoted delimiters, doubled quotes, line breaks, text after a closing quote', () => {
  const s = readSheetBuffer(Buffer.from('h1,h2\r\na,"b,c"\n"d ""e""",f\rg,"h\r\ni"\n"j"k,\n'), 'x.csv');
  assert.deepEqual(texts(s), [['a', 'b,c'], ['d "e"', 'f'], ['g', 'h\r\ni'], ['jk', '']]);
  assert.deepEqual([...s.rows].map((r) => r.rowNumber), [2, 3, 4, 5]);
});

test('rows can be iterated twice with the same result', () => {
  const s = readSheetBuffer(Buffer.from('a,b\n1,2\n3,4\n'), 'x.csv');
  assert.deepEqual(texts(s), texts(s));
  assert.equal(texts(s).length, 2);
});

test('leading blank lines: the header is the first non-empty row and keeps its row number', () => {
  const s = readSheetBuffer(Buffer.from('\n,,\nphone_number,full_name\n0812,Budi\n'), 'x.csv');
  assert.equal(s.headerRow, 3);
  assert.deepEqual([...s.rows].map((r) => r.rowNumber), [4]);
});

test('unreadable input: one-line SpreadsheetError naming the file', () => {
  const cases: Array<[Buffer, string, RegExp]> = [
    [Buffer.alloc(0), 'list.csv', /^list\.csv: the file is empty$/],
    [Buffer.from('\r\n\r\n'), 'list.csv', /^list\.csv: has no header row/],
    [Buffer.from('a,b'), 'list.txt', /^list\.txt: unsupported file type "\.txt"; use \.xlsx, \.xls, \.csv$/],
    [Buffer.from('a,b'), 'list', /unsupported file type "\(none\)"/],
    [Buffer.from('phone_number,full_name\n0812,"Bu'), 'list.csv', /never closed/],
  ];
  for (const [bytes, name, re] of cases) {
    assert.throws(
      () => {
        const s = readSheetBuffer(bytes, name);
        for (const _ of s.rows);
      },
      (e: unknown) => e instanceof SpreadsheetError && re.test(e.message) && !e.message.includes('\n'),
      name,
    );
  }
});
