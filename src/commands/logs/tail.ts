import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { ExitCode, SilentExit, UsageError } from '../../errors.js';
import { renderCounts } from '../../cli/bars.js';
import { DELIVERY_STATUSES as STATUSES } from '../../providers/port.js';
import { followLog, type LogEvent } from '../../core/delivery/follow.js';
import { logSource, runReportLines } from '../../core/delivery/source.js';
import { appendSummary, logSummary } from '../../cli/github.js';
import { logColumns, logEventJson, logSummaryJson } from '../../cli/present/log-entry.js';

export async function run(ctx: Context, opts: Options<'tail'>, id: string): Promise<void> {
  const only = opts.status?.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  const unknown = only?.filter((s) => !(STATUSES as readonly string[]).includes(s));
  if (unknown?.length) throw new UsageError(`--status ${unknown.join(',')}: use ${STATUSES.join(', ')}.`);
  if (opts.untilDone && !opts.follow) opts.follow = true;
  const provider = await ctx.provider();
  const source = await logSource(ctx.paths.stateDir, provider, id);
  const t = ctx.time;
  const row = ctx.globals.json ? undefined : ctx.out.stream(logColumns(t));
  const show = (e: LogEvent) => {
    if (only && !only.includes(e.entry.status)) return;
    if (row) row(e);
    else ctx.out.jsonLine(logEventJson(e, t));
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
  else if (opts.follow) ctx.out.jsonLine(logSummaryJson({ run: run?.story, counts: s.counts, failureReasons: s.reasons(), interrupted: result.interrupted }, t));
  // Reading a log changes nothing: the line says so, and that the broadcast goes on without the follow.
  if (result.interrupted) throw ctx.stopped(`Stopped following ${id}: nothing was changed, and the broadcast goes on; \`wa-cli logs tail ${id} --follow\` picks it up again.`);
  if (opts.failOnFailed && s.counts.failed > 0) throw new SilentExit(ExitCode.failed);
}
