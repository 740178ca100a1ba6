// Validating and normalising a contact sheet in one pass over its rows. Only the contacts that will be
// uploaded, the phone numbers seen (for duplicates) and the problems found are kept.
import { cellText } from './cell-text.js';
import { NAME, PHONE, VARIABLE_NAME, aliasTarget, normaliseHeader, suggestVariableName } from './headers.js';
import { normalisePhoneCell, type CountryCode } from './phone.js';
import { SeenNumbers } from './seen-numbers.js';
import type { Cell, HeaderCell, SheetData, SheetFormat } from './types.js';

export type ProblemCode =
  | 'header-case'
  | 'header-space'
  | 'header-alias'
  | 'header-invalid'
  | 'header-duplicate'
  | 'header-ambiguous'
  | 'header-missing'
  | 'header-empty'
  | 'csv-encoding'
  | 'phone-missing'
  | 'phone-numeric-cell'
  | 'phone-leading-zero-lost'
  | 'phone-precision'
  | 'phone-scientific'
  | 'phone-invalid'
  | 'phone-no-prefix'
  | 'name-missing'
  | 'value-line-break'
  | 'value-tab'
  | 'value-spaces'
  | 'value-cell-error'
  | 'value-control'
  | 'no-rows'
  | 'duplicate';

export interface Problem {
  severity: 'error' | 'warning';
  code: ProblemCode;
  /** One line: where, what, and the fix. */
  message: string;
  rowNumber?: number;
  /** Column letter as Excel shows it. */
  column?: string;
  /** Header text of that column as written in the file. */
  header?: string;
  /** The cell as read, for a problem with one value. */
  value?: string;
  /** What is wrong with it, without its place (the message says both). */
  reason?: string;
}

export interface NormalisedContact {
  rowNumber: number;
  phone_number: string;
  full_name: string;
  variables: Record<string, string>;
}

export interface Duplicate {
  rowNumber: number;
  phone: string;
  firstRow: number;
}

export interface ContactReport {
  file: string;
  format: SheetFormat;
  sheetName: string;
  /** Non-empty data rows. */
  rowsTotal: number;
  emptyRows: number;
  valid: NormalisedContact[];
  /** Rows with at least one error (every row when a required column is missing). */
  invalid: number;
  duplicates: Duplicate[];
  problems: Problem[];
  errors: number;
  warnings: number;
  /**
   * Errors that no row carries: a rejected or unnamed column, a missing column, no data rows. Skipping the
   * invalid rows does not fix them, so nothing may be uploaded while any is left.
   */
  fileErrors: number;
  /** Header text as written → name used (only columns that are kept). */
  headerMap: Record<string, string>;
  /** Column order of the clean output: phone_number, full_name, then the variables. */
  columns: string[];
  variableNames: string[];
}

export interface ValidateOptions {
  /** Country for numbers written without a country code (the command resolves it: flag, profile, default). */
  country: CountryCode;
}

type Role = 'phone' | 'name' | 'variable' | 'unnamed' | 'rejected';

interface Column {
  header: HeaderCell;
  role: Role;
  name: string;
}

/** A validation without the valid contacts: they were handed out one by one as they were read. */
export type ContactScan = Omit<ContactReport, 'valid'> & { validCount: number };

export function validateContacts(sheet: SheetData, opts: ValidateOptions): ContactReport {
  const valid: NormalisedContact[] = [];
  const { validCount: _, ...scan } = scanContacts(sheet, opts, (c) => valid.push(c));
  return { ...scan, valid };
}

/**
 * One pass over the rows: every problem collected, each valid contact handed to `onValid` in row order and not kept,
 * so a send can check and plan a 100,000-row sheet without holding it.
 */
export function scanContacts(
  sheet: SheetData,
  opts: ValidateOptions,
  onValid: (c: NormalisedContact) => void,
  /** Told the clean file's columns before the first contact. */
  onColumns?: (c: Pick<ContactReport, 'columns' | 'variableNames'>) => void,
): ContactScan {
  const log = new ProblemLog();
  if (sheet.encoding === 'windows-1252') {
    log.add({
      severity: 'warning',
      code: 'csv-encoding',
      message: 'the file is not UTF-8; it was read as Windows-1252 (ANSI): check names with accents, or save as "CSV UTF-8"',
    });
  }
  const { columns, headerMap } = planColumns(sheet, (p) => log.add(p));
  const cols: RoleColumns = {
    phone: columns.find((c) => c.role === 'phone'),
    name: columns.find((c) => c.role === 'name'),
    variables: columns.filter((c) => c.role === 'variable'),
  };
  const unnamed = new UnnamedColumns(columns.filter((c) => c.role === 'unnamed'));
  const variableNames = cols.variables.map((c) => c.name);
  onColumns?.({ columns: [PHONE, NAME, ...variableNames], variableNames });

  const seen = new SeenNumbers();
  const duplicates: Duplicate[] = [];
  let validCount = 0;
  let rowsTotal = 0;
  let emptyRows = 0;
  let invalid = 0;
  for (const row of sheet.rows) {
    if (isEmpty(row.cells)) {
      emptyRows++;
      continue;
    }
    rowsTotal++;
    unnamed.check(row.rowNumber, row.cells, log);
    const contact = readRow(row.rowNumber, row.cells, cols, opts.country, log);
    if (!contact) {
      invalid++;
      continue;
    }
    const first = seen.firstRow(contact.phone_number, row.rowNumber);
    if (first !== undefined) {
      duplicates.push({ rowNumber: row.rowNumber, phone: contact.phone_number, firstRow: first });
      log.add(duplicateProblem(cols.phone!, row.rowNumber, contact.phone_number, first));
      continue;
    }
    validCount++;
    onValid(contact);
  }

  if (rowsTotal === 0 && sheet.headers.length > 0) {
    log.add({
      severity: 'error',
      code: 'no-rows',
      rowNumber: sheet.headerRow,
      message: `${sheet.file} has a header row (row ${sheet.headerRow}) but no contacts below it; add one contact per row`,
    });
  }

  return {
    file: sheet.file,
    format: sheet.format,
    sheetName: sheet.sheetName,
    rowsTotal,
    emptyRows,
    validCount,
    invalid,
    duplicates,
    problems: log.problems,
    errors: log.errors,
    warnings: log.warnings,
    fileErrors: log.errors - log.rowLevelErrors,
    headerMap,
    columns: [PHONE, NAME, ...variableNames],
    variableNames,
  };
}

/** The problems found so far, counted by severity; errors of a row's value counted apart from the file's own. */
class ProblemLog {
  readonly problems: Problem[] = [];
  errors = 0;
  warnings = 0;
  rowLevelErrors = 0;
  add(p: Problem): void {
    this.problems.push(p);
    if (p.severity === 'error') this.errors++;
    else this.warnings++;
  }
}

/** The columns a contact is read from: a missing phone or name column leaves every row invalid. */
interface RoleColumns {
  phone: Column | undefined;
  name: Column | undefined;
  variables: Column[];
}

/** Columns without a header: each is reported once, at its first row with a value. */
class UnnamedColumns {
  private readonly reported = new Set<number>();
  constructor(private readonly columns: Column[]) {}
  check(r: number, cells: ReadonlyArray<Cell | undefined>, log: ProblemLog): void {
    for (const col of this.columns) {
      if (this.reported.has(col.header.index) || cellText(cells[col.header.index]).trim() === '') continue;
      this.reported.add(col.header.index);
      log.add({
        severity: 'error',
        code: 'header-empty',
        rowNumber: r,
        column: col.header.column,
        message: `column ${col.header.column} has values (first in row ${r}) but no header; add a header or delete the column`,
      });
    }
  }
}

const at = (col: Column, rowNumber: number): string => `${col.header.column}${rowNumber} (${col.header.text || col.name})`;

/** One row's values checked and normalised: the contact, or undefined when any value is refused or missing. */
function readRow(r: number, cells: ReadonlyArray<Cell | undefined>, cols: RoleColumns, country: CountryCode, log: ProblemLog): NormalisedContact | undefined {
  let rowErrors = 0;
  const rowError = (col: Column, code: ProblemCode, detail: string): void => {
    rowErrors++;
    log.rowLevelErrors++;
    log.add({ severity: 'error', code, rowNumber: r, column: col.header.column, header: col.header.text, value: cellText(cells[col.header.index]), reason: detail, message: `${at(col, r)}: ${detail}` });
  };
  // Cell text with the checks every value needs; undefined when the value is refused.
  const textOf = (col: Column): string | undefined => {
    const cell = cells[col.header.index];
    if (cell && cell.t === 'e') {
      rowError(col, 'value-cell-error', `the cell shows the error ${cell.w ?? String(cell.v)}; fix the formula or type the value`);
      return undefined;
    }
    const text = trimSpaces(cellText(cell));
    const code = badValue(text);
    if (code) {
      rowError(col, code, VALUE_MESSAGES[code]);
      return undefined;
    }
    return text;
  };

  const phone = cols.phone && readPhone(r, cells, cols.phone, country, textOf, rowError, log);
  let name: string | undefined;
  if (cols.name) {
    name = textOf(cols.name);
    if (name === '') {
      rowError(cols.name, 'name-missing', 'full_name is empty');
      name = undefined;
    }
  }
  const variables: Record<string, string> = {};
  for (const col of cols.variables) {
    const text = textOf(col);
    if (text !== undefined) variables[col.name] = text;
  }
  if (rowErrors > 0 || phone === undefined || name === undefined) return undefined;
  return { rowNumber: r, phone_number: phone, full_name: name, variables };
}

/** The row's phone number normalised, with a warning where it was read with a guess; undefined when refused. */
function readPhone(
  r: number,
  cells: ReadonlyArray<Cell | undefined>,
  col: Column,
  country: CountryCode,
  textOf: (col: Column) => string | undefined,
  rowError: (col: Column, code: ProblemCode, detail: string) => void,
  log: ProblemLog,
): string | undefined {
  const cell = cells[col.header.index];
  const text = cell?.t === 'n' ? '' : textOf(col);
  if (text === undefined) return undefined;
  const res = normalisePhoneCell(cell, country);
  if (!res.ok) {
    rowError(col, res.code, res.message);
    return undefined;
  }
  const where = { rowNumber: r, column: col.header.column, header: col.header.text };
  if (res.noPrefix) {
    log.add({ severity: 'warning', code: 'phone-no-prefix', ...where, message: `${at(col, r)}: "${text}" has no leading 0 or country code; read as ${res.phone} (check that Excel did not drop a 0)` });
  }
  if (res.caution) log.add({ severity: 'warning', code: res.caution.code, ...where, message: `${at(col, r)}: ${res.caution.message}` });
  return res.phone;
}

function duplicateProblem(phoneCol: Column, r: number, phone: string, first: number): Problem {
  return {
    severity: 'warning',
    code: 'duplicate',
    rowNumber: r,
    column: phoneCol.header.column,
    header: phoneCol.header.text,
    value: phone,
    reason: `the same number as row ${first}`,
    message: `${at(phoneCol, r)}: ${phone} is already in row ${first}; this row is left out`,
  };
}

const VALUE_MESSAGES = {
  'value-line-break': 'the value has a line break, which breaks sending; put it on one line',
  'value-tab': 'the value has a tab character, which breaks sending; replace it with a space',
  'value-spaces': 'the value has more than 4 spaces in a row, which breaks sending; use single spaces',
  'value-control': 'the value has an invisible control character (such as NUL), which the API refuses or cuts at; retype the value',
} as const;

// C0 controls other than tab and line breaks (reported on their own), DEL and the C1 block.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

function badValue(text: string): keyof typeof VALUE_MESSAGES | undefined {
  if (text.includes('\n') || text.includes('\r')) return 'value-line-break';
  if (text.includes('\t')) return 'value-tab';
  if (CONTROL.test(text)) return 'value-control';
  if (text.includes('     ')) return 'value-spaces';
  return undefined;
}

/** Outer spaces only: a tab or line break at either end is still reported. */
function trimSpaces(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s.charCodeAt(a) === 32 || s.charCodeAt(a) === 0xa0)) a++;
  while (b > a && (s.charCodeAt(b - 1) === 32 || s.charCodeAt(b - 1) === 0xa0)) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

function isEmpty(cells: ReadonlyArray<Cell | undefined>): boolean {
  for (const cell of cells) {
    if (!cell || cell.v === undefined || cell.v === null || cell.t === 'z') continue;
    if (typeof cell.v !== 'string' || cell.v.trim() !== '') return false;
  }
  return true;
}

function planColumns(sheet: SheetData, add: (p: Problem) => void): { columns: Column[]; headerMap: Record<string, string> } {
  const h = sheet.headerRow;
  const where = (hc: HeaderCell): string => `${hc.column}${h} header "${hc.text}"`;
  const headerProblem = (hc: HeaderCell, severity: Problem['severity'], code: ProblemCode, detail: string): void =>
    add({ severity, code, rowNumber: h, column: hc.column, header: hc.text, message: `${where(hc)}: ${detail}` });

  const normalised = sheet.headers.map((hc) => normaliseHeader(hc.text));
  const columns: Column[] = [];
  // Aliases (no hp, nama…) count only when the proper name is not there, and only when one column claims it.
  const aliasUse = new Map<string, HeaderCell[]>();
  sheet.headers.forEach((hc, i) => {
    const target = aliasTarget(normalised[i]!);
    if (target && !normalised.includes(target)) aliasUse.set(target, [...(aliasUse.get(target) ?? []), hc]);
  });
  for (const [target, cols] of aliasUse) {
    if (cols.length > 1) {
      const list = cols.map((c) => `${c.column} "${c.text}"`).join(' and ');
      headerProblem(cols[0]!, 'error', 'header-ambiguous', `${list} could each be ${target}; rename the right one to ${target}`);
    }
  }

  const taken = new Map<string, HeaderCell>();
  sheet.headers.forEach((hc, i) => {
    const n = normalised[i]!;
    if (n === '') {
      columns.push({ header: hc, role: 'unnamed', name: '' });
      return;
    }
    let name = n;
    const target = aliasTarget(n);
    const alias = target !== undefined && aliasUse.get(target)?.length === 1 && aliasUse.get(target)![0] === hc;
    if (alias) {
      name = target;
      headerProblem(hc, 'warning', 'header-alias', `read as ${target}; rename the header to ${target}`);
    } else if (!VARIABLE_NAME.test(n) && n !== PHONE && n !== NAME) {
      const s = suggestVariableName(n);
      headerProblem(
        hc,
        'error',
        'header-invalid',
        `variable names must be 2 to 16 characters of a-z, 0-9 and _${s && !taken.has(s) ? `; rename it to "${s}"` : ''}`,
      );
      columns.push({ header: hc, role: 'rejected', name: n });
      return;
    }
    const earlier = taken.get(name);
    if (earlier) {
      headerProblem(hc, 'error', 'header-duplicate', `same name as ${earlier.column}${h} "${earlier.text}" (${name}); rename or delete one of them`);
      columns.push({ header: hc, role: 'rejected', name });
      return;
    }
    if (!alias && hc.text !== n) {
      const onlyCase = hc.text.toLowerCase() === n;
      headerProblem(hc, 'warning', onlyCase ? 'header-case' : 'header-space', `headers must be lowercase without spaces; read as ${n}`);
    }
    taken.set(name, hc);
    columns.push({ header: hc, role: name === PHONE ? 'phone' : name === NAME ? 'name' : 'variable', name });
  });

  for (const required of [PHONE, NAME]) {
    if (!taken.has(required)) {
      add({
        severity: 'error',
        code: 'header-missing',
        rowNumber: h,
        message: `row ${h}: no ${required} column; name the column with the ${required === PHONE ? 'phone numbers' : 'contact names'} ${required}`,
      });
    }
  }
  const headerMap: Record<string, string> = {};
  for (const c of columns) if (c.role === 'phone' || c.role === 'name' || c.role === 'variable') headerMap[c.header.text] = c.name;
  return { columns, headerMap };
}
