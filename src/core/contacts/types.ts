// Shapes shared by the spreadsheet reader, the validator and the writers.

export type SheetFormat = 'xlsx' | 'xls' | 'csv';

/**
 * One cell as read, with the raw type kept so that a phone number Excel stored as a number
 * (or shows as 6.28123E+12) can be told apart from one typed as text.
 * Same letters as SheetJS: s text, n number, b boolean, d date, e error (#N/A…), z empty.
 */
export interface Cell {
  t: 's' | 'n' | 'b' | 'd' | 'e' | 'z';
  v?: string | number | boolean | Date | undefined;
  /** Text as Excel displays it, when the reader has it. */
  w?: string | undefined;
}

export interface HeaderCell {
  /** 0-based column index in the sheet. */
  index: number;
  /** Column letter as Excel shows it ('A', 'AB'). */
  column: string;
  /** Header text as written in the file. */
  text: string;
}

export interface SheetRow {
  /** 1-based row number as the user sees it in Excel (CSV: record number, a quoted line break stays in its row). */
  rowNumber: number;
  /** Cells by 0-based column index; holes and missing trailing cells mean empty. */
  cells: ReadonlyArray<Cell | undefined>;
}

export interface SheetData {
  file: string;
  format: SheetFormat;
  sheetName: string;
  /** Every sheet in the workbook (one for CSV). */
  sheetNames: string[];
  /** Only for CSV: how the bytes were decoded and which delimiter was found. */
  encoding?: 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';
  delimiter?: string;
  /** Row number of the header row (the first non-empty row). */
  headerRow: number;
  headers: HeaderCell[];
  /** Data rows after the header, empty rows included (the validator counts and skips them). Re-iterable, produced lazily. */
  rows: Iterable<SheetRow>;
}
