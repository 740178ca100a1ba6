// stdout carries results only: a table on a terminal, TSV when piped, JSON with --json, JSON Lines for streams.
// Everything meant for the person (progress, warnings, errors) goes to stderr.
import type { ChalkInstance } from 'chalk';
import type { Io } from './io.js';

export interface Column<T> {
  header: string;
  value: (row: T) => string | number | boolean | null | undefined;
}

const cell = (v: unknown): string => (v === null || v === undefined ? '' : String(v));
// A tab or newline inside a TSV field would shift every column after it.
const tsvCell = (v: unknown): string => cell(v).replace(/[\t\r\n]+/g, ' ');

/** Widest line of a cell, in characters. */
const width = (s: string): number => Math.max(0, ...s.split('\n').map((l) => [...l].length));

const PADDING = 2;
const MIN_TEXT = 6;

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

  /** Rows as a table on a terminal, TSV (no header, for cut and awk) when piped, or `json` with --json. */
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
    const body = rows.map((r) => columns.map((col) => cell(col.value(r))));
    const widths = fitWidths(
      columns.map((col, i) => Math.max(width(col.header), ...body.map((b) => width(b[i]!)))),
      this.ctx.columns,
    );
    const table = new Table({
      head: columns.map((col) => c.bold(col.header)),
      style: { head: [], border: [] },
      chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
      // Only when the table would overflow the terminal: then long cells wrap rather than push the lines past its edge.
      ...(widths ? { colWidths: widths, wordWrap: true } : {}),
    });
    for (const b of body) {
      if (!widths) table.push(b);
      // At word boundaries when every word fits; an id or a long name is broken instead, never cut short.
      else table.push(b.map((text, i) => ({ content: text, wrapOnWordBoundary: text.split(/\s+/).every((w) => width(w) <= widths[i]! - PADDING) })));
    }
    this.print(table.toString());
  }

  /** Key/value details: aligned text, or `json` with --json. */
  details(pairs: ReadonlyArray<readonly [string, unknown]>, json: unknown): void {
    if (this.ctx.globals.json) return this.json(json);
    const width = Math.max(...pairs.map(([k]) => k.length));
    for (const [k, v] of pairs) this.print(`${`${k}:`.padEnd(width + 2)}${cell(v)}`);
  }

  info(message: string): void {
    if (!this.ctx.globals.quiet) this.ctx.stderr.write(`${message}\n`);
  }

  /**
   * A line -q does not silence: what the person needs to act on later (an interruption, the id or command to resume
   * with). Not an error, so no prefix.
   */
  notice(message: string): void {
    this.ctx.stderr.write(`${message}\n`);
  }

  warn(message: string): void {
    this.ctx.stderr.write(`warning: ${message}\n`);
  }

  error(message: string): void {
    const prefix = this.ctx.globals.color && this.ctx.stderrIsTTY ? '\u001b[31merror:\u001b[39m' : 'error:';
    this.ctx.stderr.write(`${prefix} ${message}\n`);
  }

  get verbose(): boolean {
    return this.ctx.globals.verbose;
  }

  debug(message: string): void {
    if (this.ctx.globals.verbose) this.ctx.stderr.write(`${message}\n`);
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
