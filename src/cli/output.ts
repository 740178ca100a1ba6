// stdout carries results only: a table on a terminal, TSV when piped, JSON with --json, JSON Lines for streams.
// Everything meant for the person (progress, warnings, errors) goes to stderr.
import type { ChalkInstance } from 'chalk';
import type { Io } from './io.js';

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
  /** An id: shortened on a terminal when the table would not fit otherwise (always whole in TSV and JSON). */
  id?: boolean;
  /**
   * Left out on a terminal too narrow for the table, lowest first, before any cell would have to wrap (as gh does);
   * a column without it is always shown. TSV and JSON always have every column.
   */
  drop?: number;
}

/** A column of a streamed table (rows printed as they come, so widths are planned before the first). */
export interface StreamColumn<T> extends Column<T> {
  /** Characters the column takes; without it, the column shares what the fixed ones leave. */
  width?: number;
  /** The least a shared column takes before it is dropped (or, if it cannot be, squeezed). */
  min?: number;
}

const cell = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
// A tab or newline inside a TSV field would shift every column after it.
const tsvCell = (v: unknown): string => cell(v).replace(/[\t\r\n]+/g, ' ');

/** Widest line of a cell, in characters. */
const width = (s: string): number => Math.max(0, ...s.split('\n').map((l) => [...l].length));

const PADDING = 2;
const MIN_TEXT = 6;
/** Between the columns of a streamed table. */
const GAP = '  ';

/**
 * Column widths (padding included) that fit `total` characters with the borders, or undefined when the natural widths
 * already fit. Each column keeps a few characters; what is left goes to the columns that need least first, so narrow
 * columns stay whole and the wide ones share the rest equally.
 */
export function fitWidths(natural: readonly number[], total: number): number[] | undefined {
  const borders = natural.length + 1;
  const want = natural.map((n) => n + PADDING);
  if (want.reduce((a, b) => a + b, 0) + borders <= total) return undefined;
  const out = want.map((w) => Math.min(w, MIN_TEXT + PADDING));
  let left = total - borders - out.reduce((a, b) => a + b, 0);
  const order = want.map((_, i) => i).sort((a, b) => want[a]! - out[a]! - (want[b]! - out[b]!));
  order.forEach((i, k) => {
    const more = Math.max(0, Math.min(want[i]! - out[i]!, Math.floor(left / (order.length - k))));
    out[i]! += more;
    left -= more;
  });
  return out;
}

/** A long id as a terminal shows it when space is short: a UUID by its first 8 digits (as git does), others by both ends. */
export function shortId(id: string): string {
  const chars = [...id];
  if (chars.length <= 12) return id;
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return `${id.slice(0, 8)}…`;
  // A run id (20261122-083015-a1b2c3) keeps its date and its random tail.
  if (chars.length <= 16) return id;
  return `${chars.slice(0, 8).join('')}…${chars.slice(-6).join('')}`;
}

/**
 * Text in lines of at most `w` characters, broken only where it has a space; a word longer than a line is cut short with
 * an ellipsis rather than broken across lines.
 */
export function wrapWords(text: string, w: number): string {
  const lines: string[] = [];
  for (const para of text.split('\n')) {
    let line = '';
    for (const word of para.split(/\s+/).filter(Boolean)) {
      const fitted = [...word].length > w ? `${[...word].slice(0, Math.max(1, w - 1)).join('')}…` : word;
      if (line === '') line = fitted;
      else if ([...line].length + 1 + [...fitted].length <= w) line += ` ${fitted}`;
      else {
        lines.push(line);
        line = fitted;
      }
    }
    lines.push(line);
  }
  return lines.join('\n');
}

/** One line of `text` in exactly `w` characters: padded, or cut at a space (a lone long word at its end) with "…". */
export function fitCell(text: string, w: number): string {
  const t = text.replace(/[\t\r\n]+/g, ' ');
  const chars = [...t];
  if (chars.length <= w) return t + ' '.repeat(w - chars.length);
  const head = chars.slice(0, Math.max(0, w - 1)).join('');
  // Whole words when the cut falls on a space; else back to the last space, unless that loses more than half.
  const space = head.lastIndexOf(' ');
  const cut = chars[w - 1] === ' ' ? head.trimEnd() : space >= Math.floor(w / 2) ? head.slice(0, space) : head;
  return `${cut}…`.padEnd(w);
}

/** Which columns a terminal of `total` characters shows, and whether ids are shortened, for cells of these widths. */
function plan<T>(columns: readonly Column<T>[], natural: (i: number, short: boolean) => number, total: number): { keep: number[]; short: boolean } {
  const fits = (keep: number[], short: boolean): boolean => keep.reduce((a, i) => a + natural(i, short) + PADDING, 0) + keep.length + 1 <= total;
  let keep = columns.map((_, i) => i);
  if (fits(keep, false)) return { keep, short: false };
  const short = columns.some((c) => c.id);
  const droppable = keep.filter((i) => columns[i]!.drop !== undefined).sort((a, b) => columns[a]!.drop! - columns[b]!.drop!);
  while (!fits(keep, short) && droppable.length > 0) {
    const gone = droppable.shift()!;
    keep = keep.filter((i) => i !== gone);
  }
  return { keep, short };
}

export class Output {
  private chalkInstance: ChalkInstance | undefined;
  constructor(private readonly ctx: Io) {}

  print(text = ''): void {
    this.ctx.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  json(value: unknown): void {
    this.ctx.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  jsonLine(value: unknown): void {
    this.ctx.stdout.write(`${JSON.stringify(value)}\n`);
  }

  /**
   * Rows as a table on a terminal, TSV (no header, for cut and awk) when piped, or `json` with --json. A table fits the
   * terminal: ids are shortened first, then optional columns left out, and only then are cells wrapped, at spaces.
   */
  async list<T>(rows: readonly T[], columns: readonly Column<T>[], json: unknown = rows): Promise<void> {
    if (this.ctx.globals.json) return this.json(json);
    if (!this.ctx.stdoutIsTTY) {
      for (const r of rows) this.print(columns.map((c) => tsvCell(c.value(r))).join('\t'));
      return;
    }
    if (rows.length === 0) {
      this.info('(none)');
      return;
    }
    const { default: Table } = await import('cli-table3');
    const c = await this.colors();
    const full = rows.map((r) => columns.map((col) => cell(col.value(r))));
    const shown = (i: number, short: boolean) => (text: string) => (short && columns[i]!.id ? shortId(text) : text);
    const natural = (i: number, short: boolean): number => Math.max(width(columns[i]!.header), ...full.map((b) => width(shown(i, short)(b[i]!))));
    const { keep, short } = plan(columns, natural, this.ctx.columns);
    const body = full.map((b) => keep.map((i) => shown(i, short)(b[i]!)));
    const widths = fitWidths(keep.map((i) => natural(i, short)), this.ctx.columns);
    const table = new Table({
      head: keep.map((i) => c.bold(columns[i]!.header)),
      style: { head: [], border: [] },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      // Only when the table would still overflow the terminal: cells wrap at spaces, a word too long is cut short.
      ...(widths ? { colWidths: widths } : {}),
    });
    for (const b of body) table.push(widths ? b.map((text, k) => wrapWords(text, widths[k]! - PADDING)) : b);
    this.print(table.toString());
  }

  /**
   * A table whose rows are printed as they come (a log being followed): on a terminal a header and one line per row,
   * each cell cut to its planned width; TSV when piped. The caller prints JSON Lines itself.
   */
  stream<T>(columns: readonly StreamColumn<T>[]): (row: T) => void {
    if (!this.ctx.stdoutIsTTY) return (r) => this.print(columns.map((c) => tsvCell(c.value(r))).join('\t'));
    const total = this.ctx.columns;
    const need = (keep: readonly number[]): number => keep.reduce((a, i) => a + (columns[i]!.width ?? columns[i]!.min ?? MIN_TEXT), 0) + GAP.length * (keep.length - 1);
    let keep = columns.map((_, i) => i);
    const droppable = keep.filter((i) => columns[i]!.drop !== undefined).sort((a, b) => columns[a]!.drop! - columns[b]!.drop!);
    while (need(keep) > total && droppable.length > 0) {
      const gone = droppable.shift()!;
      keep = keep.filter((i) => i !== gone);
    }
    const shared = keep.filter((i) => columns[i]!.width === undefined);
    const fixed = keep.reduce((a, i) => a + (columns[i]!.width ?? 0), 0) + GAP.length * (keep.length - 1);
    const each = shared.length ? Math.max(1, Math.floor((total - fixed) / shared.length)) : 0;
    const widths = keep.map((i) => columns[i]!.width ?? Math.max(columns[i]!.min ?? 1, each));
    const line = (cells: string[]): string => cells.map((t, k) => fitCell(t, widths[k]!)).join(GAP).trimEnd();
    let headed = false;
    return (r) => {
      if (!headed) {
        headed = true;
        this.print(line(keep.map((i) => columns[i]!.header)));
      }
      this.print(line(keep.map((i) => cell(columns[i]!.value(r)))));
    };
  }

  /** Key/value details: aligned text, or `json` with --json. */
  details(pairs: ReadonlyArray<readonly [string, unknown]>, json: unknown): void {
    if (this.ctx.globals.json) return this.json(json);
    const width = Math.max(...pairs.map(([k]) => k.length));
    for (const [k, v] of pairs) this.print(`${`${k}:`.padEnd(width + 2)}${cell(v)}`);
  }

  info(message: string): void {
    if (!this.ctx.globals.quiet) this.ctx.terminal.write(`${message}\n`);
  }

  /**
   * A line -q does not silence: what the person needs to act on later (an interruption, the id or command to resume
   * with). Not an error, so no prefix.
   */
  notice(message: string): void {
    this.ctx.terminal.write(`${message}\n`);
  }

  warn(message: string): void {
    this.ctx.terminal.write(`warning: ${message}\n`);
  }

  error(message: string): void {
    const prefix = this.ctx.globals.color && this.ctx.stderrIsTTY ? '\u001b[31merror:\u001b[39m' : 'error:';
    this.ctx.terminal.write(`${prefix} ${message}\n`);
  }

  get verbose(): boolean {
    return this.ctx.globals.verbose;
  }

  debug(message: string): void {
    if (this.ctx.globals.verbose) this.ctx.terminal.write(`${message}\n`);
  }

  /** chalk, loaded on first use and switched off when colour is not wanted. */
  async colors(): Promise<ChalkInstance> {
    if (!this.chalkInstance) {
      const { Chalk } = await import('chalk');
      this.chalkInstance = new Chalk({ level: this.ctx.globals.color ? 1 : 0 });
    }
    return this.chalkInstance;
  }
}
