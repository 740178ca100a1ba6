// Writing a whole delivery log to CSV (streamed row by row) or XLSX (SheetJS, built in memory: SheetJS has no
// streaming xlsx writer). Either way the file appears only when complete: rows go to a temporary file beside it,
// renamed into place at the end, so an export cut short by an API error never looks like a finished one.
import { createWriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { InputError } from '../input-error.js';
import type { LogEntry } from './entry.js';

export const EXPORT_COLUMNS = ['phone', 'name', 'status', 'error', 'whatsapp_message_id', 'created_at', 'sent_at', 'delivered_at', 'read_at'] as const;
export type ExportFormat = 'csv' | 'xlsx';

/**
 * A cell starting with = + - @ (or a tab or CR, which some spreadsheets skip before looking) is run as a formula
 * when the file is opened; a leading apostrophe keeps it text. Done for both formats, since an xlsx is often re-saved
 * as CSV.
 */
export function neutraliseCell(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

/** The format an --out path asks for; checked before anything is fetched. */
export function exportFormatFor(outPath: string): ExportFormat {
  const ext = path.extname(outPath).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.xlsx') return 'xlsx';
  throw new InputError(`--out ${outPath}: unsupported extension "${ext || '(none)'}"; use .csv or .xlsx.`);
}

/** One entry as export cells, in EXPORT_COLUMNS order, neutralised. */
export function exportRow(e: LogEntry): string[] {
  return [e.phone, e.name ?? '', e.status, e.error ?? '', e.waMessageId ?? '', e.createdAt ?? '', e.sentAt ?? '', e.deliveredAt ?? '', e.readAt ?? ''].map(neutraliseCell);
}

// Quoted when a comma, semicolon (the list separator Excel uses in Indonesian and other comma-decimal locales),
// quote, line break or edge space could split or trim the field.
function csvField(v: string): string {
  return /[",;\r\n]|^\s|\s$/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csvLine(cells: readonly string[]): string {
  return `${cells.map(csvField).join(',')}\r\n`;
}

export interface ExportResult {
  format: ExportFormat;
  rows: number;
  path: string;
}

const tempBeside = (file: string): string => path.join(path.dirname(file), `.${path.basename(file)}.${randomUUID()}.tmp`);

export async function exportLog(entries: AsyncIterable<LogEntry>, outPath: string): Promise<ExportResult> {
  const format = exportFormatFor(outPath);
  const tmp = tempBeside(outPath);
  try {
    const rows = format === 'csv' ? await writeCsv(entries, tmp) : await writeXlsx(entries, tmp);
    await rename(tmp, outPath);
    return { format, rows, path: outPath };
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}

async function writeCsv(entries: AsyncIterable<LogEntry>, file: string): Promise<number> {
  // Phone numbers and names are personal data: owner-only.
  const out = createWriteStream(file, { mode: 0o600 });
  const done = finished(out);
  done.catch(() => undefined);
  const write = async (s: string) => {
    // Waits for the disk when the buffer is full; a write error surfaces through `done`.
    if (!out.write(s)) await Promise.race([once(out, 'drain'), done]);
  };
  let rows = 0;
  try {
    // A BOM so Excel reads UTF-8 names right; CRLF line ends as RFC 4180 and Excel expect.
    await write(`\uFEFF${csvLine(EXPORT_COLUMNS)}`);
    for await (const e of entries) {
      await write(csvLine(exportRow(e)));
      rows++;
    }
  } catch (err) {
    // Closed before the caller removes the file.
    out.destroy();
    await done.catch(() => undefined);
    throw err;
  }
  out.end();
  await done;
  return rows;
}

async function writeXlsx(entries: AsyncIterable<LogEntry>, file: string): Promise<number> {
  // Loaded here so nothing else pays for SheetJS at startup.
  const XLSX = await import('xlsx');
  const aoa: string[][] = [[...EXPORT_COLUMNS]];
  for await (const e of entries) aoa.push(exportRow(e));
  const sheet = XLSX.utils.aoa_to_sheet(aoa);
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, sheet, 'log');
  const data = XLSX.write(book, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
  await writeFile(file, data, { mode: 0o600 });
  return aoa.length - 1;
}
