// The one writer of the tables wa-cli makes: a delivery log, a send's preview, the clean contact file, the opt-out list,
// and the spreadsheet a contact-list upload sends. A .csv is RFC 4180 with CRLF (and a BOM, so Excel reads UTF-8 names
// right, where a person opens it); an .xlsx holds text cells only, in Text-formatted columns, so a number such as
// 628123… never becomes 6.28E+12. A file for people has every cell formula-safe and appears at its path atomically.
import path from 'node:path';
import { InputError } from '../errors.js';
import { openAtomic, writeFileAtomic, type AtomicWriter } from './atomic-file.js';
import { loadSheetJs, sheetJs } from './sheetjs.js';
import { csvRow, neutraliseCell } from './spreadsheet-cell.js';

export const TABLE_EXTENSIONS = ['.csv', '.xlsx'] as const;
export type TableFormat = (typeof TABLE_EXTENSIONS)[number];

/** The format a file name asks for, or undefined when it is neither .csv nor .xlsx. */
export function tableFormatOf(file: string): TableFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  return ext === '.csv' || ext === '.xlsx' ? ext : undefined;
}

function formatOf(outPath: string): TableFormat {
  const format = tableFormatOf(outPath);
  if (!format) throw new InputError(`--out ${outPath}: write a .csv or .xlsx file.`);
  return format;
}

export interface TableOptions {
  /** The sheet's name in an .xlsx (default "sheet1"). */
  sheet?: string | undefined;
  /** A BOM in front of a .csv (default true); the clean contact file, which is also uploaded elsewhere, has none. */
  bom?: boolean | undefined;
}

/** CSV bytes, cells as given: the header row first, every record ended by CRLF. */
export function csvBytes(rows: Iterable<readonly string[]>, bom: boolean): Buffer {
  const lines: string[] = [];
  for (const r of rows) lines.push(`${csvRow(r)}\r\n`);
  return Buffer.from(`${bom ? '\uFEFF' : ''}${lines.join('')}`, 'utf8');
}

/** Workbook bytes, cells as given: one sheet of text cells in Text-formatted columns. SheetJS must be loaded. */
export function xlsxBytes(rows: Iterable<readonly string[]>, sheet: string): Buffer {
  const XLSX = sheetJs();
  const data: import('xlsx').CellObject[][] = [];
  let width = 1;
  for (const r of rows) {
    data.push(r.map((v): import('xlsx').CellObject => ({ t: 's', v, z: '@' })));
    width = Math.max(width, r.length);
  }
  const ws: import('xlsx').WorkSheet = { '!data': data, '!ref': XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: Math.max(data.length - 1, 0), c: width - 1 } }) };
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, sheet);
  return XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
}

function* safeRows(header: readonly string[], rows: Iterable<readonly string[]>): Generator<string[]> {
  yield header.map(neutraliseCell);
  for (const r of rows) yield r.map(neutraliseCell);
}

/**
 * A small table held in memory (the opt-out list) as the bytes of a .csv or .xlsx, chosen by the extension of
 * `outPath`, every cell formula-safe. A file streams through writeTable instead.
 */
export async function tableBuffer(header: readonly string[], rows: Iterable<readonly string[]>, outPath: string, opts: TableOptions = {}): Promise<Buffer> {
  if (formatOf(outPath) === '.csv') return csvBytes(safeRows(header, rows), opts.bom ?? true);
  await loadSheetJs();
  return xlsxBytes(safeRows(header, rows), opts.sheet ?? 'sheet1');
}

/**
 * Writes a table to `outPath` atomically, every cell formula-safe, and returns its number of rows. A .csv is streamed
 * in blocks (a 100,000-row table is never held); a .xlsx is built in memory, as a workbook is. Nothing appears at
 * `outPath` (an existing file stays as it was) unless every row was read and written, and the first row is read
 * before the file is opened: a source that fails at once (a bad id) leaves the disk untouched.
 */
export async function writeTable(header: readonly string[], rows: AsyncIterable<readonly string[]> | Iterable<readonly string[]>, outPath: string, opts: TableOptions = {}): Promise<number> {
  if (formatOf(outPath) === '.xlsx') {
    const all: (readonly string[])[] = [];
    for await (const r of rows) all.push(r);
    await writeFileAtomic(outPath, await tableBuffer(header, all, outPath, opts));
    return all.length;
  }
  let out: AtomicWriter | undefined;
  let n = 0;
  try {
    // Written in blocks, not a syscall a row.
    let buf = `${(opts.bom ?? true) ? '\uFEFF' : ''}${csvRow(header.map(neutraliseCell))}\r\n`;
    for await (const r of rows) {
      out ??= await openAtomic(outPath);
      buf += `${csvRow(r.map(neutraliseCell))}\r\n`;
      n++;
      if (buf.length >= 1 << 16) {
        await out.write(buf);
        buf = '';
      }
    }
    out ??= await openAtomic(outPath);
    await out.write(buf);
  } catch (err) {
    await out?.abort();
    throw err;
  }
  await out.commit();
  return n;
}
