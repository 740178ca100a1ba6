// A CSV is decoded and parsed chunk by chunk: wherever the chunks are cut, the rows are those of the whole file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CsvSyntaxError, parseCsvRecords } from '../../../src/core/contacts/csv-parse.js';
import { readSheet } from '../../../src/core/contacts/index.js';

const TRICKY = Buffer.from('h1,h2,h3\r\na,"b,c",\n"d ""e""",f,"g\r\nh"\r"i"j,,Zoë\n\n"",x,""""\r\n😀,"q"');
const WHOLE: string[][] = [
  ['h1', 'h2', 'h3'],
  ['a', 'b,c', ''],
  ['d "e"', 'f', 'g\r\nh'],
  ['ij', '', 'Zoë'],
  [''],
  ['', 'x', '"'],
  ['😀', 'q'],
];

const records = (chunks: Uint8Array[], skip = 0): string[][] => [...parseCsvRecords(chunks, ',', skip)];

test('records cut into two or three chunks at every byte parse as the whole file does, even inside a character', () => {
  assert.deepEqual(records([TRICKY]), WHOLE);
  for (let a = 0; a <= TRICKY.length; a++) {
    assert.deepEqual(records([TRICKY.subarray(0, a), TRICKY.subarray(a)]), WHOLE, `cut at ${a}`);
    for (let b = a; b <= TRICKY.length; b += 3) {
      assert.deepEqual(records([TRICKY.subarray(0, a), TRICKY.subarray(a, b), TRICKY.subarray(b)]), WHOLE, `cut at ${a} and ${b}`);
    }
  }
  // One byte a chunk: every record spans chunks.
  assert.deepEqual(records([...TRICKY].map((b) => Buffer.of(b))), WHOLE);
});

test('the bytes skipped at the start (a sep= line) may span chunks', () => {
  const bytes = Buffer.from('sep=,\r\na,b\n1,2\n');
  for (let a = 0; a <= bytes.length; a++) assert.deepEqual(records([bytes.subarray(0, a), bytes.subarray(a)], 7), [['a', 'b'], ['1', '2']], `cut at ${a}`);
});

test('a quote never closed is an error only at the end of the input, naming the record', () => {
  const bytes = Buffer.from('a,b\n1,"open\n2,3\n');
  for (let a = 0; a <= bytes.length; a++) {
    assert.throws(
      () => records([bytes.subarray(0, a), bytes.subarray(a)]),
      (e: unknown) => e instanceof CsvSyntaxError && e.record === 2 && /row 2: a quoted field is never closed/.test(e.message),
      `cut at ${a}`,
    );
  }
});

test('a record longer than the read buffer grows it', () => {
  const long = 'x'.repeat(300_000);
  const bytes = Buffer.from(`a,b\n"${long}",${long}\n1,2\n`);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 65536) chunks.push(bytes.subarray(at, at + 65536));
  assert.deepEqual(records(chunks), [['a', 'b'], [long, long], ['1', '2']]);
});

test('a CSV file of many chunks reads row for row as written: quoted line breaks and characters across chunk ends', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-csv-chunks-'));
  try {
    const rows: string[][] = [];
    for (let i = 0; i < 9000; i++) rows.push([`0812${String(i).padStart(8, '0')}`, i % 7 === 0 ? `Zoë "${i}"\r\nÑandú 😀` : `Pelanggan ${i}`, i % 3 === 0 ? 'a,b' : '']);
    const quote = (f: string): string => (/[",\r\n]/.test(f) ? `"${f.replaceAll('"', '""')}"` : f);
    const text = `phone_number,full_name,note\r\n${rows.map((r) => r.map(quote).join(',')).join('\r\n')}\r\n`;
    for (const [name, bytes, encoding] of [
      ['utf8.csv', Buffer.from(text), 'utf-8'],
      ['utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]), 'utf-16le'],
    ] as const) {
      // Several 64 KB chunks.
      assert.ok(bytes.length > 4 * 65536, `${name} is ${bytes.length} bytes`);
      const file = path.join(dir, name);
      writeFileSync(file, bytes);
      const sheet = await readSheet(file);
      assert.equal(sheet.encoding, encoding);
      assert.deepEqual(sheet.headers.map((h) => h.text), ['phone_number', 'full_name', 'note']);
      const got = [...sheet.rows].map((r) => r.cells.map((c) => String(c?.v ?? '')));
      assert.equal(got.length, rows.length, name);
      assert.deepEqual(got, rows, name);
      // Row numbers count records: a quoted line break stays in its row.
      assert.equal([...sheet.rows].at(-1)!.rowNumber, rows.length + 1);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a CSV that is a pipe (read once) is read whole: its rows come out as from a file', async () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wa-csv-fifo-'));
  try {
    const fifo = path.join(dir, 'list.csv');
    execFileSync('mkfifo', [fifo]);
    const writer = createWriteStream(fifo);
    writer.end('phone_number;full_name\r\n0812;Zoë\r\n0813;"Budi; Jr."\r\n');
    const sheet = await readSheet(fifo);
    assert.equal(sheet.delimiter, ';');
    assert.deepEqual([...sheet.rows].map((r) => r.cells.map((c) => String(c?.v ?? ''))), [['0812', 'Zoë'], ['0813', 'Budi; Jr.']]);
    // Gone through again: the same rows, from the bytes kept.
    assert.equal([...sheet.rows].length, 2);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
