// The clean file: normalised headers, phone numbers as digits, every cell text.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { csvRow } from '../../util/spreadsheet-cell.js';
import { csvBytes, tableFormatOf, writeTable, xlsxBytes } from '../../util/table-file.js';
import { SpreadsheetError } from './errors.js';
import type { ContactReport, NormalisedContact } from './validate.js';

type Cleaned = Pick<ContactReport, 'columns' | 'variableNames' | 'valid'>;

function cleanRow(variableNames: readonly string[], c: NormalisedContact): string[] {
  const row = [c.phone_number, c.full_name];
  for (const v of variableNames) row.push(c.variables[v] ?? '');
  return row;
}

function* tableRows(report: Cleaned, contacts: readonly NormalisedContact[] = report.valid): Generator<string[]> {
  yield [...report.columns];
  for (const c of contacts) yield cleanRow(report.variableNames, c);
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
export function toCsvBuffer(report: Cleaned, contacts?: readonly NormalisedContact[]): Buffer {
  return csvBytes(tableRows(report, contacts), false);
}

/**
 * The .xlsx an upload sends: one sheet "contacts", every cell a text cell in a Text-formatted column, so Excel keeps
 * the digits. SheetJS must be loaded (loadSheetJs).
 */
export function toXlsxBuffer(report: Cleaned, contacts?: readonly NormalisedContact[]): Buffer {
  return xlsxBytes(tableRows(report, contacts), 'contacts');
}

/**
 * Writes the clean file for people to open; the extension of `outPath` (.csv or .xlsx) picks the format. Unlike the
 * upload bytes above, formula-like cells are neutralised (a spreadsheet would run them), and the file is written
 * atomically with mode 0600: it holds customers' phone numbers. The CSV has no BOM, as the upload's has none.
 */
export async function writeClean(report: Cleaned, outPath: string): Promise<void> {
  if (!tableFormatOf(outPath)) {
    const ext = path.extname(outPath).toLowerCase();
    throw new SpreadsheetError(outPath, `cannot write "${ext || '(no extension)'}"; the clean file must end in .csv or .xlsx`);
  }
  const [header, ...rows] = tableRows(report);
  await writeTable(header!, rows, outPath, { sheet: 'contacts', bom: false });
}
