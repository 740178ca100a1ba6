// Writing tables to CSV or XLSX: a delivery log, a send preview, the opt-out list. Cells that a spreadsheet would run
// as a formula are neutralised.
import path from 'node:path';
import { openAtomic, writeFileAtomic, type AtomicWriter } from '../../util/atomic-file.js';
import { csvRow, neutraliseCell } from '../../util/spreadsheet-cell.js';
import { InputError } from '../../errors.js';
import type { LogEntry } from '../../providers/port.js';

export const EXPORT_COLUMNS = ['phone', 'name', 'status', 'error', 'whatsapp_message_id', 'created_at', 'sent_at', 'delivered_at', 'read_at'] as const;

/** Writes a time into an export (the CLI's one time format: ISO 8601 with the local offset). */
export type TimeWriter = (at: string | undefined) => string | undefined;

function row(e: LogEntry, time: TimeWriter): string[] {
  return [e.phone, e.name, statusWord(e), e.error ?? '', e.waMessageId ?? '', time(e.createdAt) ?? '', time(e.sentAt) ?? '', time(e.deliveredAt) ?? '', time(e.readAt) ?? ''];
}

/**
 * An entry's status as shown: a fan-out run's own word for the recipient (what its counts count), with the server's
 * status of an accepted message as it came ("sent (QUEUED)"); else the delivery status.
 */
export function statusWord(e: LogEntry): string {
  if (e.state === undefined) return e.status;
  return e.rawStatus ? `${e.state} (${e.rawStatus})` : e.state;
}

function tableFormat(outPath: string): '.csv' | '.xlsx' {
  const ext = path.extname(outPath).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx') throw new InputError(`--out ${outPath}: write a .csv or .xlsx file.`);
  return ext;
}

/**
 * A small table as the bytes of a .csv (BOM, CRLF, as Excel reads and writes) or .xlsx, every cell formula-safe.
 * For tables held in memory (the opt-out list); a file streams through writeTable instead.
 */
export async function tableBuffer(header: readonly string[], rows: Iterable<readonly string[]>, outPath: string, sheetName = 'sheet1'): Promise<Buffer> {
  const safe = (r: readonly string[]) => r.map(neutraliseCell);
  if (tableFormat(outPath) === '.csv') {
    const lines = [csvRow(header)];
    for (const r of rows) lines.push(csvRow(safe(r)));
    return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
  }
  const XLSX = await import('xlsx');
  // Text cells only: a number such as 628123… must not become 6.28E+12.
  const data = [[...header], ...[...rows].map(safe)].map((r) => r.map((v): import('xlsx').CellObject => ({ t: 's', v })));
  const ws: import('xlsx').WorkSheet = { '!data': data, '!ref': XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: Math.max(data.length - 1, 0), c: Math.max(header.length - 1, 0) } }) };
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, sheetName);
  return XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

/**
 * Writes a table to `outPath` atomically, every cell formula-safe, and returns its number of rows. A .csv is streamed
 * in blocks (a 100,000-row table is never held); a .xlsx is built in memory, as a workbook is. Nothing appears at
 * `outPath` (an existing file stays as it was) unless every row was read and written, and the first row is read
 * before the file is opened: a source that fails at once (a bad id) leaves the disk untouched.
 */
export async function writeTable(header: readonly string[], rows: AsyncIterable<readonly string[]> | Iterable<readonly string[]>, outPath: string, sheetName?: string): Promise<number> {
  if (tableFormat(outPath) === '.xlsx') {
    const all: (readonly string[])[] = [];
    for await (const r of rows) all.push(r);
    await writeFileAtomic(outPath, await tableBuffer(header, all, outPath, sheetName));
    return all.length;
  }
  let out: AtomicWriter | undefined;
  let n = 0;
  try {
    // A BOM so Excel reads UTF-8 names right; CRLF as Excel writes. Written in blocks, not a syscall a row.
    let buf = `\uFEFF${csvRow(header)}\r\n`;
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

export const EXPORT_EXTENSIONS = ['.csv', '.xlsx'] as const;

/**
 * Writes the log to `outPath` atomically: nothing appears there (and an existing file stays as it was) unless every
 * page was read and written; a bad id or a failure half way leaves no partial file.
 */
export function exportLog(entries: AsyncIterable<LogEntry>, outPath: string, time: TimeWriter = (at) => at): Promise<number> {
  return writeTable(EXPORT_COLUMNS, logRows(entries, time), outPath, 'log');
}

async function* logRows(entries: AsyncIterable<LogEntry>, time: TimeWriter): AsyncGenerator<string[]> {
  for await (const e of entries) yield row(e, time);
}
