import type { Context } from '../../cli/context.js';
import { ExitCode, SilentExit, UsageError } from '../../errors.js';
import { renderCounts } from '../../cli/bars.js';
import { DELIVERY_STATUSES as STATUSES } from '../../providers/port.js';
import { followLog, type LogEvent } from '../../core/delivery/follow.js';
import { logSource, runReportLines } from '../../core/delivery/source.js';
import { statusWord } from '../../core/delivery/export.js';
import { timeFormat } from '../../cli/time.js';

const TIMES: ReadonlySet<string> = new Set(['createdAt', 'sentAt', 'deliveredAt', 'readAt']);

interface TailOptions {
  follow?: boolean;
  interval: number;
  status?: string;
  untilDone?: boolean;
  failOnFailed?: boolean;
}

export async function run(ctx: Context, opts: TailOptions, id: string): Promise<void> {
  const only = opts.status?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = only?.filter((s) => !(STATUSES as readonly string[]).includes(s));
  if (unknown?.length) throw new UsageError(`--status ${unknown.join(',')}: use ${STATUSES.join(', ')}.`);
  if (opts.untilDone && !opts.follow) opts.follow = true;
  const provider = await ctx.provider();
  const source = await logSource(ctx.paths.stateDir, provider, id);
  const t = timeFormat(ctx.env);
  const show = (e: LogEvent) => {
    if (only && !only.includes(e.entry.status)) return;
    const en = e.entry;
    if (ctx.globals.json) {
      // One object per line, built in place (the entry's fields in their order, times rendered): a follow writes one
      // of these per entry, so nothing else is allocated for it.
      const line: Record<string, unknown> = { event: e.kind };
      if (e.kind === 'change') line.from = e.from;
      for (const k of Object.keys(en) as (keyof typeof en)[]) line[k] = TIMES.has(k) && en[k] ? t.iso(en[k] as string) : en[k];
      ctx.out.jsonLine(line);
      return;
    }
    const time = t.text(en.readAt ?? en.deliveredAt ?? en.sentAt ?? en.createdAt);
    const status = e.kind === 'change' ? `${e.from} → ${statusWord(en)}` : statusWord(en);
    ctx.out.print([time, en.phone, en.name, status, en.error ?? ''].join('\t'));
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
  });
  const s = result.summary;
  // A fan-out run is told in its own words (the same counts as every other command); a broadcast by its statuses.
  const run = await source.run?.();
  if (!ctx.globals.json) for (const line of run ? runReportLines(run, (iso) => t.text(iso)) : renderCounts(s.counts, s.reasons())) ctx.out.info(line);
  else if (opts.follow) ctx.out.jsonLine({ event: 'summary', ...(run ? { run: { ...run.story, createdAt: t.iso(run.story.createdAt) } } : {}), counts: s.counts, failureReasons: s.reasons(), interrupted: result.interrupted });
  if (result.interrupted) throw new SilentExit(ExitCode.interrupted);
  if (opts.failOnFailed && s.counts.failed > 0) throw new SilentExit(ExitCode.failed);
}
