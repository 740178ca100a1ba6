// A Konekwa run as it ended, as the person sees it: its recipients, the counts, every unsettled recipient, one line on
// what to do next, and the exit code that says how it went.
import type { Context } from '../../cli/context.js';
import { ExitCode, SilentExit } from '../../errors.js';
import { formatElapsed } from '../../cli/progress.js';
import { appendSummary, runSummary } from '../../cli/github.js';
import { runRecipient } from '../../cli/present/broadcast.js';
import { runEndJson } from '../../cli/present/send.js';
import type { RunEnd } from '../../core/broadcast/send.js';
import { countsText } from '../../core/runs/story.js';

export async function renderRun(ctx: Context, end: RunEnd): Promise<void> {
  const { result: res, story, settlesAt } = end;
  const { header: h, summary: r } = res;
  const resumeCmd = `wa-cli broadcast send --resume ${h.runId}`;
  if (ctx.githubActions) await appendSummary(ctx, await runSummaryOf(ctx, end));
  const t = ctx.time;
  if (ctx.globals.json) ctx.out.json(runEndJson(end, t));
  else {
    await ctx.out.list(end.recipients, runRecipient.columns(t));
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
async function runSummaryOf(ctx: Context, end: RunEnd): Promise<string> {
  const { costEstimate } = await import('../../core/broadcast/mapping.js');
  const { DeliverySummary } = await import('../../core/delivery/summary.js');
  const failures = new DeliverySummary();
  for (const row of end.recipients) if (row.state === 'failed') failures.add('failed', row.error ?? undefined);
  const profile = await (await ctx.config()).profile(ctx.profileName);
  const { header: h, summary: r } = end.result;
  return runSummary({
    runId: h.runId,
    template: h.templateName,
    shard: h.shard,
    counts: { total: r.total, sent: r.sent, failed: r.failed, unknown: r.unknown, notSent: r.notSent },
    cost: costEstimate(r.sent, profile?.costPerMessage),
    reasons: failures.reasons(),
    stopped: end.result.quietHours ? 'quiet hours began' : r.interrupted ? 'interrupted' : r.stopped,
  });
}

/** "12 recipient(s) were not sent and 1 stays unknown": what a stopped run leaves, in the counts' own words. */
function leftWords(r: { notSent: number; unknown: number }): string {
  return `${r.notSent} recipient(s) were not sent${r.unknown ? ` and ${r.unknown} stay${r.unknown === 1 ? 's' : ''} unknown` : ''}`;
}
