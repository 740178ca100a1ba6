// A spreadsheet as `contacts validate` checked it: counts, the columns kept, and every problem with its row.
import type { ContactReport } from '../../core/contacts/index.js';
import { sheetProblemJson } from './problem.js';

export const contactCheckJson = (r: ContactReport, out: string | undefined) => ({
  file: r.file,
  format: r.format,
  sheet: r.sheetName,
  rows: r.rowsTotal,
  valid: r.valid.length,
  invalid: r.invalid,
  emptyRows: r.emptyRows,
  duplicates: r.duplicates.map((d) => ({ row: d.rowNumber, phone: d.phone, firstRow: d.firstRow })),
  /** The clean file's columns, in order. */
  columns: r.columns,
  /** Each header kept, as written in the file and as read (header texts are values, never keys). */
  headers: Object.entries(r.headerMap).map(([header, name]) => ({ header, name })),
  errors: r.errors,
  warnings: r.warnings,
  problems: r.problems.map(sheetProblemJson),
  out: out ?? null,
});
