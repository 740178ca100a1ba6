// A Konekwa run as the person sees it: progress while it sends, every unsettled recipient at the end, and one line on
// what to do next. Also `--resume RUN`, which continues a run by its id.
import type { Context } from '../../cli/context.js';
import { ExitCode, OperationError, SilentExit } from '../../errors.js';
import { formatElapsed, formatRemaining, spinner } from '../../cli/progress.js';
import type { Provider } from '../../providers/port.js';
import type { EarlierSend } from '../../core/broadcast/dedupe.js';
import type { RunDeps, RunResult } from '../../core/broadcast/fanout-run.js';
import type { QuietWindow } from '../../core/broadcast/quiet-hours.js';
import { appendSummary, runSummary } from '../../cli/github.js';
import { runRecipient, type RunRecipient } from '../../cli/present/broadcast.js';
import { runEndJson, type RunExtras } from '../../cli/present/send.js';

/** The profile's quiet hours when they apply to a template of this category and were not overridden. */
export async function quietFor(ctx: Context, category: string | undefined, ignore: boolean): Promise<QuietWindow | undefined> {
  if (ignore) return undefined;
  const { quietWindow, quietHoursApply } = await import('../../core/broadcast/quiet-hours.js');
  // A run from before categories were journaled may be promotional.
  if (!quietHoursApply(category ?? '')) return undefined;
  const profile = await (await ctx.config()).profile(ctx.profileName);
  return quietWindow(profile?.quietHours, profile?.timeZone);
}

/** How a run treats recipients in doubt: `--settle` and `--no-wait`. */
export interface Settling {
  settleMs: number;
  noWait: boolean;
}

/** What a run needs of this command's world, with progress on the spinner; stop it before printing the result. */
export async function runDeps(ctx: Context, provider: Provider, settling: Settling): Promise<RunDeps & { stopProgress(): void }> {
  const spin = spinner(ctx, 'Sending');
  const t = ctx.time;
  // The pace this run has shown so far, from its first report: recipients settled by an earlier run do not count.
  let first: { done: number; at: number } | undefined;
  return {
    suppressed: async () => new (await import('../../core/optout/list.js')).OptOutList(ctx.paths.stateDir, ctx.profileName).numbers(),
    provider,
    stateDir: ctx.paths.stateDir,
    now: ctx.now,
    sleep: (ms) => ctx.sleep(ms).catch(() => undefined),
    signal: ctx.signal,
    settleMs: settling.settleMs,
    noWait: settling.noWait,
    onWait: (w) => {
      spin.update(`Waiting for the server's listing: ${w.doubtful} recipient(s) in doubt`);
      ctx.out.info(
        `Waiting up to ${formatElapsed(Math.max(0, w.untilMs - ctx.now()))} (until ${t.text(w.untilMs)}) for Konekwa's message listing to show whether ${w.doubtful} message(s) whose answer was lost were queued; none is sent again before then (--settle ${formatElapsed(settling.settleMs)}; --no-wait ends now instead).`,
      );
    },
    onProgress: (p) => {
      first ??= { done: p.done, at: p.elapsedMs };
      const span = p.elapsedMs - first.at;
      const measured = span > 0 ? ((p.done - first.done) / span) * 1000 : 0;
      // The ETA never promises more than the pacing allows: a first burst is fast, the rest goes at the set rate.
      const rate = measured > 0 ? Math.min(measured, p.ratePerSecond || measured) : p.ratePerSecond;
      const eta = rate > 0 ? formatRemaining(((p.total - p.done) / rate) * 1000) : '—';
      spin.update(`Sending ${p.done}/${p.total} · ${rate.toFixed(1)}/s · ETA ${eta}${p.failed ? ` · ${p.failed} failed` : ''}`);
    },
    stopProgress: () => spin.stop(),
  };
}

/** Runs `go` with progress shown (stopping when `quiet` hours begin), then reports its result. */
export async function driveAndReport(ctx: Context, provider: Provider, settling: Settling, go: (deps: RunDeps) => Promise<RunResult>, quiet?: QuietWindow, extra: RunExtras = {}): Promise<void> {
  const deps = { ...(await runDeps(ctx, provider, settling)), ...(quiet ? { quiet } : {}) };
  let result: RunResult;
  try {
    result = await go(deps);
  } catch (err) {
    const { JournalWriteError } = await import('../../core/broadcast/fanout-engine.js');
    if (!(err instanceof JournalWriteError)) throw err;
    // Nothing left without its trace on disk; what was in flight is checked with the server on the next run.
    const { describeFsError } = await import('../../cli/fs-error.js');
    const why = describeFsError(err.cause, ctx.paths, ctx.env) ?? `the run's journal in ${ctx.paths.stateDir} could not be written (${err.message})`;
    throw new OperationError(`Stopped sending: ${why.replace(/ Free some space and run again\.$/, '')}`, {
      hint: 'Free space or make the folder writable, then run the same command again (or `wa-cli broadcast send --resume RUN`); nobody is sent twice.',
    });
  } finally {
    deps.stopProgress();
  }
  await renderRun(ctx, result, extra);
}

/** Who a fresh run left out because they already got the identical text within the dedupe window. */
export function reportLeftOut(ctx: Context, leftOut: EarlierSend[], window: string): void {
  if (leftOut.length === 0) return;
  const t = ctx.time;
  ctx.out.notice(`Left out ${leftOut.length} recipient(s) who already got this exact text within the last ${window} (--dedupe-window; 0 sends it again):`);
  for (const l of leftOut.slice(0, 20)) ctx.out.notice(`  row ${l.row} ${l.phone}${l.name ? ` (${l.name})` : ''}: at ${t.text(l.at)}, message ${l.messageId}`);
  if (leftOut.length > 20) ctx.out.notice(`  … and ${leftOut.length - 20} more (--json lists them all)`);
}

/** `--resume RUN`: the use case decides; this shows what is continued, asks, and drives the run with progress. */
export async function resume(ctx: Context, runId: string, pace: { rate?: number; concurrency?: number }, opts: { moves: string[]; ignoreQuietHours: boolean; settling: Settling }): Promise<void> {
  const { resumeRun } = await import('../../core/broadcast/resume.js');
  const { countsText } = await import('../../core/runs/story.js');
  const deps = { stateDir: ctx.paths.stateDir, now: ctx.now, provider: () => ctx.provider(), quietFor: (category: string | undefined) => quietFor(ctx, category, opts.ignoreQuietHours), notice: (line: string) => ctx.out.warn(line) };
  const outcome = await resumeRun(deps, runId, pace, opts.moves, {
    confirm: (plan) => {
      for (const m of plan.moves) ctx.out.info(`Moving the ${m.count} unsettled recipient(s) of session ${m.from} to ${m.to}.`);
      ctx.out.info(`Resuming run ${runId}: ${countsText(plan.story)}; ${plan.left} to check or send.`);
      if (!plan.trusted) ctx.out.warn(`the journal of run ${runId} is missing or damaged; every unsettled recipient is checked with the server before anything is sent.`);
      return ctx.prompter.confirm(`Continue sending to up to ${plan.left} recipient(s)?`, { flag: '--yes' });
    },
    drive: (provider, go, quiet) => driveAndReport(ctx, provider, opts.settling, go, quiet),
  });
  if (outcome === 'nothing-left') ctx.out.info(`Run ${runId} has nothing left to send.`);
  if (outcome === 'declined') throw new SilentExit(ExitCode.failed);
}

async function renderRun(ctx: Context, res: RunResult, extra: RunExtras): Promise<void> {
  const { inspectRun } = await import('../../core/runs/listing.js');
  const { runOutcomes, runStory, countsText } = await import('../../core/runs/story.js');
  const { header: h, summary: r } = res;
  // Every recipient of a small run; of a large one, those that were not sent. A sending run keeps message ids only in
  // its journal, so a small run's are read back for the table.
  const state = h.total <= 50 ? (await inspectRun(ctx.paths.stateDir, h.runId)).state : res.state;
  const story = runStory(h, state);
  const rows: RunRecipient[] = [];
  // A large run where everyone was sent has no row to show: its plan is not read again.
  if (h.total <= 50 || r.sent < r.total) for await (const o of runOutcomes(res.dir, state)) if (o.state !== 'sent' || h.total <= 50) rows.push(o);
  const resumeCmd = `wa-cli broadcast send --resume ${h.runId}`;
  if (ctx.githubActions) await appendSummary(ctx, await runSummaryOf(ctx, res, rows));
  const t = ctx.time;
  const settlesAt = r.doubtful > 0 && r.settlesAt !== undefined ? r.settlesAt : undefined;
  if (ctx.globals.json) ctx.out.json(runEndJson(res, story, rows, settlesAt, extra, t));
  else {
    await ctx.out.list(rows, runRecipient.columns(t));
    if (r.checked) ctx.out.info(`Asked the server about ${r.checked} recipient(s) whose outcome the journal did not settle: ${r.foundOnServer} had been sent, the others had not.`);
    ctx.out.info(`Run ${h.runId} (${story.status}): ${countsText(story)} (${formatElapsed(r.elapsedMs)}).`);
  }
  if (r.reconcileError) ctx.out.warn(`could not check unknown outcomes with the server (${r.reconcileError}); they stay unknown and nobody is sent twice.`);
  if (r.interrupted) {
    ctx.out.notice(`Interrupted. Run the same command again, or \`${resumeCmd}\`, to continue: recipients already sent are not sent again, and those in doubt are checked with the server first.`);
    throw new SilentExit(ExitCode.interrupted);
  }
  if (res.quietHours) {
    const q = res.quietHours;
    ctx.out.error(`Stopped: quiet hours (${q.window} ${q.timeZone}) began; ${leftWords(r)}.`);
    ctx.out.notice(`They end at ${q.endsAtText}: run the same command again then (or \`${resumeCmd}\`) to send exactly the rest.`);
    throw new SilentExit(ExitCode.failed);
  }
  if (r.stopped) {
    ctx.out.error(`Stopped: ${r.stopped}`);
    const lanes = Object.keys(r.stoppedLanes);
    if (h.channelIds && lanes.length > 0) {
      // Only the stopped sessions' shares are left; the others went on.
      const other = h.channelIds.find((c) => !lanes.includes(c));
      ctx.out.notice(`${leftWords(r)}. Reconnect ${lanes.join(', ')} and run the same command again (or \`${resumeCmd}\`), or move the share to another session: \`${resumeCmd} --move-session ${lanes[0]}=${other ?? 'SESSION'}\`.`);
    } else ctx.out.notice(`${leftWords(r)}. Fix the cause, then run the same command again (or \`${resumeCmd}\`) to send exactly the rest.`);
    throw new SilentExit(ExitCode.failed);
  }
  if (settlesAt !== undefined && !r.reconcileError) {
    // --no-wait: what is in doubt settles by itself once its window has passed; the same command then finishes it.
    ctx.out.notice(`${r.doubtful} recipient(s) stay unknown until Konekwa's listing can show whether they were queued: run the same command again (or \`${resumeCmd}\`) after ${t.text(settlesAt)} to settle them; none is sent twice.`);
    throw new SilentExit(ExitCode.transient);
  }
  if (r.unknown > 0 || r.notSent > 0) ctx.out.notice(`Some outcomes are not settled. Run the same command again later (or \`${resumeCmd}\`) to check and finish.`);
  if (r.failed > 0 || r.unknown > 0 || r.notSent > 0) throw new SilentExit(ExitCode.failed);
}

/** The job summary of a run (GitHub Actions): counts, the cost of what was sent, failures by reason. */
async function runSummaryOf(ctx: Context, res: RunResult, rows: readonly { state: string; error: string | null }[]): Promise<string> {
  const { costEstimate } = await import('../../core/broadcast/mapping.js');
  const { DeliverySummary } = await import('../../core/delivery/summary.js');
  const failures = new DeliverySummary();
  for (const row of rows) if (row.state === 'failed') failures.add('failed', row.error ?? undefined);
  const profile = await (await ctx.config()).profile(ctx.profileName);
  const { header: h, summary: r } = res;
  return runSummary({
    runId: h.runId,
    template: h.templateName,
    shard: h.shard,
    counts: { total: r.total, sent: r.sent, failed: r.failed, unknown: r.unknown, notSent: r.notSent },
    cost: costEstimate(r.sent, profile?.costPerMessage),
    reasons: failures.reasons(),
    stopped: res.quietHours ? 'quiet hours began' : r.interrupted ? 'interrupted' : r.stopped,
  });
}

/** "12 recipient(s) were not sent and 1 stays unknown": what a stopped run leaves, in the counts' own words. */
function leftWords(r: { notSent: number; unknown: number }): string {
  return `${r.notSent} recipient(s) were not sent${r.unknown ? ` and ${r.unknown} stay${r.unknown === 1 ? 's' : ''} unknown` : ''}`;
}
