import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { ExitCode, SilentExit, UsageError } from '../../errors.js';
import { renderCounts } from '../../cli/bars.js';
import { DELIVERY_STATUSES as STATUSES } from '../../providers/port.js';
import { followLog, type LogEvent } from '../../core/delivery/follow.js';
import { logSource, runReportLines } from '../../core/delivery/source.js';
import { statusWord } from '../../core/delivery/export.js';
import { timeFormat } from '../../cli/time.js';
import type { StreamColumn } from '../../cli/output.js';
import { appendSummary, logSummary } from '../../cli/github.js';

const TIMES: ReadonlySet<string> = new Set(['createdAt', 'sentAt', 'deliveredAt', 'readAt']);

/** A row of the log as printed: the time of its latest step, and the step itself. */
interface Row {
  time: string;
  phone: string;
  name: string;
  status: string;
  error: string;
}

// On a terminal the time and status keep their width; the name goes first when space is short, then the error.
const COLUMNS: StreamColumn<Row>[] = [
  { header: 'TIME', value: (r) => r.time, width: 26 },
  { header: 'PHONE', value: (r) => r.phone, width: 15 },
  { header: 'NAME', value: (r) => r.name, min: 10, drop: 1 },
  { header: 'STATUS', value: (r) => r.status, width: 19 },
  { header: 'ERROR', value: (r) => r.error, min: 12, drop: 2 },
];

export async function run(ctx: Context, opts: Options<'tail'>, id: string): Promise<void> {
  const only = opts.status?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = only?.filter((s) => !(STATUSES as readonly string[]).includes(s));
  if (unknown?.length) throw new UsageError(`--status ${unknown.join(',')}: use ${STATUSES.join(', ')}.`);
  if (opts.untilDone && !opts.follow) opts.follow = true;
  const provider = await ctx.provider();
  const source = await logSource(ctx.paths.stateDir, provider, id);
  const t = timeFormat(ctx.env);
  const row = ctx.globals.json ? undefined : ctx.out.stream(COLUMNS);
  const show = (e: LogEvent) => {
    if (only && !only.includes(e.entry.status)) return;
    const en = e.entry;
    if (!row) {
      // One object per line, built in place (the entry's fields in their order, times rendered): a follow writes one
      // of these per entry, so nothing else is allocated for it.
      const line: Record<string, unknown> = { event: e.kind };
      if (e.kind === 'change') line.from = e.from;
      for (const k of Object.keys(en) as (keyof typeof en)[]) line[k] = TIMES.has(k) && en[k] ? t.iso(en[k] as string) : en[k];
      ctx.out.jsonLine(line);
      return;
    }
    row({
      time: t.text(en.readAt ?? en.deliveredAt ?? en.sentAt ?? en.createdAt),
      phone: en.phone,
      name: en.name,
      status: e.kind === 'change' ? `${e.from} → ${statusWord(en)}` : statusWord(en),
      error: en.error ?? '',
    });
  };
  const result = await followLog({
    fetchPage: (c) => source.fetchPage(c),
    // A fan-out run is done when its journal is settled (the server may keep a message QUEUED for ever).
    isDone: () => (source.followDone ?? source.isDone)(),
    ignorePending: source.followDone !== undefined,
    follow: opts.follow === true,
    untilDone: opts.untilDone === true,
    intervalMs: opts.interval,
    sleep: (ms) => ctx.sleep(ms).catch(() => undefined),
    signal: ctx.signal,
    onEvent: show,
    onRateLimited: (ms) => ctx.out.info(`The server asked to slow down: next look in ${Math.ceil(ms / 1000)} s.`),
  });
  const s = result.summary;
  // A fan-out run is told in its own words (the same counts as every other command); a broadcast by its statuses.
  const run = await source.run?.();
  // A follow that saw the broadcast to its end leaves its counts in the job summary (GitHub Actions).
  if (opts.untilDone && !result.interrupted) await appendSummary(ctx, logSummary(id, s.counts, s.reasons()));
  if (!ctx.globals.json) for (const line of run ? runReportLines(run, (iso) => t.text(iso)) : renderCounts(s.counts, s.reasons())) ctx.out.info(line);
  else if (opts.follow) ctx.out.jsonLine({ event: 'summary', ...(run ? { run: { ...run.story, createdAt: t.iso(run.story.createdAt) ?? null } } : {}), counts: s.counts, failureReasons: s.reasons(), interrupted: result.interrupted });
  // Reading a log changes nothing: the line says so, and that the broadcast goes on without the follow.
  if (result.interrupted) throw ctx.stopped(`Stopped following ${id}: nothing was changed, and the broadcast goes on; \`wa-cli logs tail ${id} --follow\` picks it up again.`);
  if (opts.failOnFailed && s.counts.failed > 0) throw new SilentExit(ExitCode.failed);
}
