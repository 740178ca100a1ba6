// Writing a delivery log to CSV or XLSX. Cells that a spreadsheet would run as a formula are neutralised.
import path from 'node:path';
import { openAtomic, writeFileAtomic } from '../../util/atomic-file.js';
import { csvRow, neutraliseCell } from '../../util/spreadsheet-cell.js';
import { InputError } from '../input-error.js';
import type { LogEntry } from '../../providers/port.js';

export const EXPORT_COLUMNS = ['phone', 'name', 'status', 'error', 'whatsapp_message_id', 'created_at', 'sent_at', 'delivered_at', 'read_at'] as const;

function row(e: LogEntry): string[] {
  return [e.phone, e.name, e.status, e.error ?? '', e.waMessageId ?? '', e.createdAt ?? '', e.sentAt ?? '', e.deliveredAt ?? '', e.readAt ?? ''].map(neutraliseCell);
}

/**
 * A small table as the bytes of a .csv (BOM, CRLF, as Excel reads and writes) or .xlsx, every cell formula-safe.
 * For tables held in memory (a send preview, the opt-out list); a delivery log streams through exportLog instead.
 */
export async function tableBuffer(header: readonly string[], rows: Iterable<readonly string[]>, outPath: string): Promise<Buffer> {
  const ext = path.extname(outPath).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx') throw new InputError(`--out ${outPath}: write a .csv or .xlsx file.`);
  const safe = (r: readonly string[]) => r.map(neutraliseCell);
  if (ext === '.csv') {
    const lines = [csvRow(header)];
    for (const r of rows) lines.push(csvRow(safe(r)));
    return Buffer.from(`\uFEFF${lines.join('\r\n')}\r\n`, 'utf8');
  }
  const XLSX = await import('xlsx');
  // Text cells only: a number such as 628123… must not become 6.28E+12.
  const data = [[...header], ...[...rows].map(safe)].map((r) => r.map((v): import('xlsx').CellObject => ({ t: 's', v })));
  const ws: import('xlsx').WorkSheet = { '!data': data, '!ref': XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: Math.max(data.length - 1, 0), c: Math.max(header.length - 1, 0) } }) };
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, 'sheet1');
  return XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer;
}

export const EXPORT_EXTENSIONS = ['.csv', '.xlsx'] as const;

/**
 * Writes the log to `outPath` atomically: nothing appears there (and an existing file stays as it was) unless every
 * page was read and written; a bad id or a failure half way leaves no partial file.
 */
export async function exportLog(entries: AsyncIterable<LogEntry>, outPath: string): Promise<number> {
  const ext = path.extname(outPath).toLowerCase();
  if (ext !== '.csv' && ext !== '.xlsx') throw new InputError(`--out ${outPath}: write a .csv or .xlsx file.`);
  let n = 0;
  if (ext === '.csv') {
    // The first page is read before the temporary file is opened: a bad id fails without touching the disk.
    const it = entries[Symbol.asyncIterator]();
    let next = await it.next();
    const out = await openAtomic(outPath);
    try {
      // A BOM so Excel reads UTF-8 names right; CRLF as Excel writes. Written in blocks, not a syscall a row.
      let buf = `\uFEFF${csvRow(EXPORT_COLUMNS)}\r\n`;
      for (; !next.done; next = await it.next()) {
        buf += `${csvRow(row(next.value))}\r\n`;
        n++;
        if (buf.length >= 1 << 16) {
          await out.write(buf);
          buf = '';
        }
      }
      await out.write(buf);
    } catch (err) {
      await out.abort();
      throw err;
    }
    await out.commit();
    return n;
  }
  const XLSX = await import('xlsx');
  const rows: string[][] = [[...EXPORT_COLUMNS]];
  for await (const e of entries) {
    rows.push(row(e));
    n++;
  }
  const ws = XLSX.utils.aoa_to_sheet(rows);
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, 'log');
  await writeFileAtomic(outPath, XLSX.write(wb, { type: 'buffer', bookType: 'xlsx' }) as Buffer);
  return n;
}
