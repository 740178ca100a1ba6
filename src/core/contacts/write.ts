// The clean file: normalised headers, phone numbers as digits, every cell text.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type * as XLSX from 'xlsx';
import { loadSheetJs, sheetJs } from './sheetjs.js';
import { writeFileAtomic } from '../../util/atomic-file.js';
import { csvRow, neutraliseCell } from '../../util/spreadsheet-cell.js';
import { SpreadsheetError } from './errors.js';
import type { ContactReport, NormalisedContact } from './validate.js';

type Cleaned = Pick<ContactReport, 'columns' | 'variableNames' | 'valid'>;

function cleanRow(variableNames: readonly string[], c: NormalisedContact): string[] {
  const row = [c.phone_number, c.full_name];
  for (const v of variableNames) row.push(c.variables[v] ?? '');
  return row;
}

function* tableRows(report: Cleaned, contacts: readonly NormalisedContact[] = report.valid, cell: (v: string) => string = (v) => v): Generator<string[]> {
  yield report.columns.map(cell);
  for (const c of contacts) yield cleanRow(report.variableNames, c).map(cell);
}

/**
 * The SHA-256 of the bytes toCsvBuffer would give, fed one contact at a time: what a send's key covers, computed
 * while the sheet is read instead of from a copy of it.
 */
export class CleanCsvDigest {
  private readonly hash = createHash('sha256');
  constructor(private readonly report: Pick<ContactReport, 'columns' | 'variableNames'>) {
    this.hash.update(`${csvRow(report.columns)}\r\n`);
  }
  add(c: NormalisedContact): void {
    this.hash.update(`${csvRow(cleanRow(this.report.variableNames, c))}\r\n`);
  }
  hex(): string {
    return this.hash.digest('hex');
  }
}

/**
 * The exact bytes of the CSV an upload sends: UTF-8 without BOM (a BOM would end up in the first
 * header name on a server that does not strip it), comma separated, CRLF line ends (RFC 4180),
 * quotes only where a field needs them.
 */
export function toCsvBuffer(report: Cleaned, contacts?: readonly NormalisedContact[], cell?: (v: string) => string): Buffer {
  const lines: string[] = [];
  for (const row of tableRows(report, contacts, cell)) lines.push(csvRow(row));
  return Buffer.from(lines.join('\r\n') + '\r\n', 'utf8');
}

/**
 * An .xlsx with one sheet "contacts", every cell a text cell in a Text-formatted column, so Excel keeps the digits.
 * SheetJS must be loaded (loadSheetJs).
 */
export function toXlsxBuffer(report: Cleaned, contacts?: readonly NormalisedContact[], cell?: (v: string) => string): Buffer {
  const XLSX = sheetJs();
  const data: XLSX.CellObject[][] = [];
  for (const row of tableRows(report, contacts, cell)) data.push(row.map((v): XLSX.CellObject => ({ t: 's', v, z: '@' })));
  const ws: XLSX.WorkSheet = { '!data': data, '!ref': XLSX.utils.encode_range({ s: { r: 0, c: 0 }, e: { r: Math.max(data.length - 1, 0), c: report.columns.length - 1 } }) };
  const wb = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(wb, ws, 'contacts');
  return XLSX.write(wb, { type: 'buffer', bookType: 'xlsx', compression: true }) as Buffer;
}

/**
 * Writes the clean file for people to open; the extension of `outPath` (.csv or .xlsx) picks the format. Unlike the
 * upload bytes above, formula-like cells are neutralised (a spreadsheet would run them), and the file is written
 * atomically with mode 0600: it holds customers' phone numbers.
 */
export async function writeClean(report: Cleaned, outPath: string): Promise<void> {
  const ext = path.extname(outPath).toLowerCase();
  let bytes: Buffer;
  if (ext === '.csv') bytes = toCsvBuffer(report, undefined, neutraliseCell);
  else if (ext === '.xlsx') {
    await loadSheetJs();
    bytes = toXlsxBuffer(report, undefined, neutraliseCell);
  }
  else throw new SpreadsheetError(outPath, `cannot write "${ext || '(no extension)'}"; the clean file must end in .csv or .xlsx`);
  await writeFileAtomic(outPath, bytes);
}
