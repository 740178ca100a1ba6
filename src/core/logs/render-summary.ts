// The summary at the end of `logs tail` and in `broadcast status`: counts per status as small bars, the two rates,
// and failure reasons grouped with counts. Pure string output; color only when asked for.
import { LOG_STATUSES, type LogStatus } from './entry.js';
import { cleanText } from './format.js';
import { deliveryRate, readRate, totalOf, type SummarySnapshot } from './summary.js';

export type SummaryStyle = LogStatus | 'dim' | 'bold';
/** Wraps text in a style; the CLI may pass chalk-based functions, otherwise plain ANSI codes are used. */
export type Colorizer = (style: SummaryStyle, text: string) => string;

const ANSI: Record<SummaryStyle, [number, number]> = {
  pending: [33, 39],
  sent: [36, 39],
  delivered: [32, 39],
  read: [34, 39],
  failed: [31, 39],
  dim: [2, 22],
  bold: [1, 22],
};
export const ansiColorizer: Colorizer = (style, text) => (text === '' ? '' : `\u001b[${ANSI[style][0]}m${text}\u001b[${ANSI[style][1]}m`);
const plain: Colorizer = (_style, text) => text;

export interface RenderOptions {
  color: boolean;
  /** Columns available (the terminal width); bars and reasons fit inside. Default 80. */
  width?: number;
  colorizer?: Colorizer;
}

const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const MAX_BAR = 40;

/** A bar of `n / max` of `cells` cells, in eighths of a block; any non-zero count shows at least a sliver. */
export function bar(n: number, max: number, cells: number): string {
  if (n <= 0 || max <= 0 || cells <= 0) return '';
  const eighths = Math.max(1, Math.round((n / max) * cells * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}

const pct = (r: number | undefined): string => (r === undefined ? '—' : `${(r * 100).toFixed(1)}%`);

function fit(s: string, width: number): string {
  const chars = [...s];
  return chars.length <= width ? s : `${chars.slice(0, Math.max(1, width - 1)).join('')}…`;
}

export function renderSummary(s: SummarySnapshot, opts: RenderOptions): string[] {
  const paint = opts.color ? (opts.colorizer ?? ansiColorizer) : plain;
  const width = Math.max(20, Math.floor(opts.width ?? 80));
  const total = totalOf(s.counts);
  const max = Math.max(0, ...LOG_STATUSES.map((st) => s.counts[st]));
  const digits = Math.max(String(total).length, 5);
  // "  delivered  12345  " before the bar
  const cells = Math.min(MAX_BAR, width - (2 + 9 + 2 + digits + 2));
  const lines = LOG_STATUSES.map((st) => {
    const n = s.counts[st];
    return `  ${paint(st, st.padEnd(9))}  ${String(n).padStart(digits)}  ${paint(st, bar(n, max, cells))}`.trimEnd();
  });
  lines.push(`  ${paint('bold', 'total'.padEnd(9))}  ${String(total).padStart(digits)}`);
  // The explanation of each rate is dropped when it would not fit.
  const rate = (label: string, r: number | undefined, why: string) => {
    const head = `  ${label.padEnd(13)} ${pct(r)}`;
    return head.length + 1 + why.length <= width ? `${head} ${paint('dim', why)}` : head;
  };
  lines.push(rate('delivery rate', deliveryRate(s.counts), '(delivered or read, of those no longer pending)'));
  lines.push(rate('read rate', readRate(s.counts), '(of those delivered)'));
  if (s.reasons.length > 0) {
    lines.push(`  ${paint('failed', 'failure reasons')}`);
    const cw = Math.max(...s.reasons.map((r) => String(r.count).length));
    for (const r of s.reasons) lines.push(`    ${String(r.count).padStart(cw)}  ${fit(cleanText(r.reason), width - 6 - cw)}`);
  }
  return lines;
}
