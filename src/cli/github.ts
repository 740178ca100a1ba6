// GitHub Actions: findings as workflow annotations (on stderr, so stdout keeps its results and JSON), and short
// Markdown summaries appended to the job summary file. Outside Actions every function here does nothing.
import { appendFile } from 'node:fs/promises';
import type { Context } from './context.js';
import { annotation, type AnnotationLevel } from '../util/workflow-command.js';

export interface Annotated {
  level: AnnotationLevel;
  file?: string | undefined;
  line?: number | undefined;
  title?: string | undefined;
  message: string;
}

/** GitHub shows a few annotations per step; past this many the rest are counted in one more. */
const MAX_ANNOTATIONS = 50;

/** Workflow annotations for findings, when running under GitHub Actions. */
export function annotate(ctx: Context, items: Iterable<Annotated>): void {
  if (!ctx.githubActions) return;
  let shown = 0;
  let more = 0;
  for (const a of items) {
    if (shown >= MAX_ANNOTATIONS) {
      more++;
      continue;
    }
    ctx.stderr.write(`${annotation(a.level, { ...(a.file ? { file: a.file } : {}), ...(a.line !== undefined ? { line: a.line } : {}), ...(a.title ? { title: a.title } : {}) }, a.message)}\n`);
    shown++;
  }
  if (more > 0) ctx.stderr.write(`${annotation('warning', { title: 'wa-cli' }, `${more} more finding(s) are not annotated; --json lists them all.`)}\n`);
}

/** Lines already written as annotations (`templates validate`'s own GitHub format), under GitHub Actions only. */
export function annotateLines(ctx: Context, lines: readonly string[]): void {
  if (!ctx.githubActions) return;
  for (const line of lines) ctx.stderr.write(`${line}\n`);
}

/** Appends Markdown to the job summary ($GITHUB_STEP_SUMMARY). What was done is done: a failed write only warns. */
export async function appendSummary(ctx: Context, markdown: string): Promise<void> {
  const file = ctx.githubActions?.stepSummary;
  if (!file) return;
  try {
    await appendFile(file, `${markdown.trimEnd()}\n\n`, { encoding: 'utf8' });
  } catch (err) {
    ctx.out.warn(`could not add to the job summary (GITHUB_STEP_SUMMARY ${file}): ${(err as Error).message}`);
  }
}

// ---- Markdown: the summary is rendered as GitHub-flavoured Markdown, which also renders HTML, so text from a server
// or a spreadsheet is escaped before it goes in.

/** Text shown as written: no markup, no HTML, one line. */
export function mdText(value: string | number): string {
  return String(value)
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    // Parentheses need no escape: a link needs the brackets before them, and those are escaped.
    .replace(/([\\`*_{}[\]#+!|~])/g, '\\$1');
}

/** A command or id in code style; a backtick inside is dropped rather than allowed to end the span. */
export const mdCode = (value: string): string => `\`${value.replace(/[`\r\n]/g, ' ')}\``;

/** A table of already-escaped cells. */
export function mdTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Failure reasons with their counts, the most frequent first, at most `max` of them. */
export function mdReasons(reasons: readonly { reason: string; count: number }[], max = 10): string {
  if (reasons.length === 0) return '';
  const rows = reasons.slice(0, max).map((r) => [mdText(r.reason), String(r.count)]);
  const rest = reasons.slice(max).reduce((a, r) => a + r.count, 0);
  if (rest > 0) rows.push([`${reasons.length - max} other reason(s)`, String(rest)]);
  return `\n**Failures by reason**\n\n${mdTable(['reason', 'count'], rows)}`;
}

/** A summary block: a heading, a two-column table of what happened, and any further paragraphs (already Markdown). */
export function mdSummary(title: string, pairs: readonly (readonly [string, string])[], ...tail: string[]): string {
  return [`### ${title}`, '', mdTable(['', ''], pairs.map(([k, v]) => [k, v])), ...tail.filter(Boolean)].join('\n');
}

/** A Qontak broadcast just created: what, to how many, for how much, and how to follow its delivery. */
export function broadcastSummary(b: { id: string; status: string; recipients: number; when: string; template: string; channel: string; skipped: number; cost: string; idempotencyKey: string }): string {
  return mdSummary(
    `wa-cli broadcast send: broadcast ${mdCode(b.id)}`,
    [
      ['Template', mdText(b.template)],
      ['Channel', mdText(b.channel)],
      ['Recipients', `${b.recipients}${b.skipped ? ` (${b.skipped} skipped)` : ''}`],
      ['Cost', `about ${mdText(b.cost)}`],
      ['When', mdText(b.when)],
      ['Status', mdText(b.status)],
      ['Idempotency key', mdCode(b.idempotencyKey)],
    ],
    `\nDelivery and failures arrive after the send: ${mdCode(`wa-cli logs tail ${b.id} --follow --until-done`)}.`,
  );
}

/** A Konekwa fan-out as it ended: counts, cost of what was sent, failures by reason, and how to continue it. */
export function runSummary(r: {
  runId: string;
  template: string;
  shard?: string | undefined;
  counts: { total: number; sent: number; failed: number; unknown: number; notSent: number };
  cost: string;
  reasons: readonly { reason: string; count: number }[];
  stopped?: string | undefined;
}): string {
  const c = r.counts;
  const settled = c.sent + c.failed === c.total;
  return mdSummary(
    `wa-cli broadcast send: run ${mdCode(r.runId)}`,
    [
      ['Template', mdText(r.template)],
      ...(r.shard ? ([['Shard', mdText(r.shard)]] as const) : []),
      ['Recipients', String(c.total)],
      ['Sent', String(c.sent)],
      ['Failed', String(c.failed)],
      ['Unknown', String(c.unknown)],
      ['Not sent', String(c.notSent)],
      ['Cost', `about ${mdText(r.cost)}`],
      ...(r.stopped ? ([['Stopped', mdText(r.stopped)]] as const) : []),
    ],
    mdReasons(r.reasons),
    settled ? '' : `\nNot finished: run the same command again, or ${mdCode(`wa-cli broadcast send --resume ${r.runId}`)}, on the machine that holds the run; nobody is sent twice.`,
  );
}

/** A delivery log followed to the end: counts per status and failures by reason. */
export function logSummary(id: string, counts: Readonly<Record<string, number>>, reasons: readonly { reason: string; count: number }[]): string {
  return mdSummary(
    `wa-cli logs tail: ${mdCode(id)}`,
    Object.entries(counts).map(([status, n]) => [mdText(status), String(n)] as const),
    mdReasons(reasons),
    `\nA page with the funnel and failures: ${mdCode(`wa-cli broadcast report ${id} --out report.html`)}.`,
  );
}

/** What `templates apply` did with each template of the folder. */
export function applySummary(dir: string, rows: readonly { result: string; name: string; language: string; status: string; note: string }[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.result, (counts.get(r.result) ?? 0) + 1);
  return [
    `### wa-cli templates apply ${mdCode(dir)}`,
    '',
    [...counts].map(([k, n]) => `${n} ${mdText(k)}`).join(', '),
    '',
    mdTable(['result', 'name', 'language', 'status', 'note'], rows.map((r) => [mdText(r.result), mdText(r.name), mdText(r.language), mdText(r.status), mdText(r.note)])),
  ].join('\n');
}
