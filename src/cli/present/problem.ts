// A problem: a template finding, a spreadsheet cell, a recipient's value. Every one reads `{row, ruleId, message,
// severity, column, …}`, where it was found first, then what kind of problem it is (its extra fields after those).
import type { Problem as SheetProblem } from '../../core/contacts/index.js';
import type { Finding } from '../../core/template-rules/index.js';
import type { SendProblem } from '../../core/broadcast/mapping.js';

export interface ProblemJson {
  /** The row of a sheet, or the line of a template file; null where it has none (the whole file, a remote template). */
  row: number | null;
  /** A stable id: a template rule, a sheet check, a send rule. */
  ruleId: string;
  /** One line: where, what, and the fix. */
  message: string;
  severity: 'error' | 'warning';
  /** The column as the file's own editor shows it: a sheet's letter ("B") or header, a template file's character. */
  column: string | number | null;
}

/** A problem of one kind: the shared fields first, its own after them. */
const problem = <P extends ProblemJson>(p: P): P => p;

/** A cell of a spreadsheet (`contacts validate`, `contacts upload`): the header of its column, its value, and why. */
export const sheetProblemJson = (p: SheetProblem) => problem({
  row: p.rowNumber ?? null,
  ruleId: p.code,
  message: p.message,
  severity: p.severity,
  column: p.column ?? null,
  header: p.header ?? null,
  value: p.value ?? null,
  reason: p.reason ?? null,
});

/** A template rule broken (`templates validate`): the line and column in the file, then in the field. */
export const findingJson = (f: Finding) => problem({
  row: f.fileLine ?? null,
  ruleId: f.ruleId,
  message: f.message,
  severity: f.severity,
  column: f.fileColumn ?? null,
  field: f.field,
  fieldLine: f.line ?? null,
  fieldColumn: f.column ?? null,
});

/** A recipient's value a send refuses (or a flag that does not fit the template: no row then). Always an error. */
export const sendProblemJson = (p: SendProblem) => problem({
  row: p.row ?? null,
  ruleId: p.ruleId,
  message: p.message,
  severity: 'error' as const,
  column: p.column ?? null,
  value: p.value ?? null,
  reason: p.reason ?? null,
});

/** A row left out (`broadcast send --skip-invalid`, `optout import --skip-invalid`): its row, column, value and why. */
export const skippedRowJson = (s: { row: number; ruleId?: string; column: string | null; value: string | null; reason: string }) => ({
  row: s.row,
  ruleId: s.ruleId ?? null,
  column: s.column,
  value: s.value,
  reason: s.reason,
});
