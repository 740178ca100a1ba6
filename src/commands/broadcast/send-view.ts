// What a send shows: the person's side of the use case over this context (lines on stderr, the question, progress,
// the summary before the question), and each way a send ends printed through its presenter, with its exit code.
import type { Context } from '../../cli/context.js';
import { ExitCode, SilentExit } from '../../errors.js';
import { annotate, appendSummary, broadcastSummary } from '../../cli/github.js';
import { formatElapsed, formatRemaining, spinner } from '../../cli/progress.js';
import { dryRunJson, nothingToSendJson, refusedJson, sentJson, summaryLines } from '../../cli/present/send.js';
import type { RunProgress, SendOutcome, SendUi } from '../../core/broadcast/send.js';

export function sendUi(ctx: Context): SendUi {
  return {
    get time() {
      return ctx.time;
    },
    get canConfirm() {
      return ctx.globals.yes || ctx.prompter.canPrompt;
    },
    info: (line) => ctx.out.info(line),
    warn: (line) => ctx.out.warn(line),
    notice: (line) => ctx.out.notice(line),
    confirm: (question, flag) => ctx.prompter.confirm(question, { flag }),
    // --quiet --yes: nobody reads it before the send.
    summary: (s, category) => {
      if (!ctx.globals.quiet || !ctx.globals.yes) for (const line of summaryLines(s, category)) ctx.out.info(line);
    },
    annotate: (items) => annotate(ctx, items),
    progress: (text) => spinner(ctx, text),
    runProgress: (settleMs) => runProgress(ctx, settleMs),
  };
}

/** A run's progress on the spinner: pace and ETA as it sends, and a line when it waits for the server's listing. */
function runProgress(ctx: Context, settleMs: number): RunProgress {
  const spin = spinner(ctx, 'Sending');
  const t = ctx.time;
  // The pace this run has shown so far, from its first report: recipients settled by an earlier run do not count.
  let first: { done: number; at: number } | undefined;
  return {
    onWait: (w) => {
      spin.update(`Waiting for the server's listing: ${w.doubtful} recipient(s) in doubt`);
      ctx.out.info(
        `Waiting up to ${formatElapsed(Math.max(0, w.untilMs - ctx.now()))} (until ${t.text(w.untilMs)}) for Konekwa's message listing to show whether ${w.doubtful} message(s) whose answer was lost were queued; none is sent again before then (--settle ${formatElapsed(settleMs)}; --no-wait ends now instead).`,
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
    stop: () => spin.stop(),
  };
}

export async function renderSend(ctx: Context, o: SendOutcome): Promise<void> {
  const t = ctx.time;
  switch (o.kind) {
    case 'refused': {
      const problems = o.refusal.problems;
      annotate(ctx, problems.map((p) => ({ level: 'error', file: o.file, line: p.row, title: p.ruleId, message: p.message })));
      if (ctx.globals.json) ctx.out.json(refusedJson(problems));
      else {
        const shown = problems.slice(0, 50);
        for (const p of shown) ctx.out.error(p.message);
        if (problems.length > shown.length) ctx.out.info(`… and ${problems.length - shown.length} more (--json lists them all)`);
      }
      throw o.refusal;
    }
    case 'dry-run':
      if (ctx.globals.json) ctx.out.json(dryRunJson(o.prepared, o.pace, t));
      else for (const line of summaryLines({ ...o.prepared.summary, ...o.pace }, o.prepared.template.category ?? '', 'Dry run: nothing was sent.')) ctx.out.print(line);
      return;
    case 'sent':
      return reportSent(ctx, o);
    case 'nothing-to-send':
      if (ctx.globals.json) ctx.out.json(nothingToSendJson(o.prepared, o.leftOut, t));
      return;
    case 'run':
      return (await import('./run-report.js')).renderRun(ctx, o.end);
    case 'not-sent':
      ctx.out.info('Not sent.');
      throw new SilentExit(ExitCode.failed);
    case 'not-resumed':
      throw new SilentExit(ExitCode.failed);
    case 'nothing-left':
      ctx.out.info(`Run ${o.runId} has nothing left to send.`);
      return;
  }
}

/** The broadcast a send made (or, `settled`, the one an earlier send left unknown turned out to make). */
async function reportSent(ctx: Context, { prepared: p, broadcast: result, settled }: Extract<SendOutcome, { kind: 'sent' }>): Promise<void> {
  const t = ctx.time;
  const schedule = result.schedule;
  if (ctx.globals.json) ctx.out.json(sentJson(result, p, settled, t));
  else ctx.out.print(result.id);
  await appendSummary(ctx, broadcastSummary({ ...p.summary, id: result.id, status: result.status, recipients: result.recipients, when: !schedule ? 'now' : schedule.kind === 'scheduled' ? t.text(schedule.sendAt) : schedule.message }));
  // "Scheduled" only when the server holds the time asked; anything else is a failure that names the broadcast.
  if (schedule && schedule.kind !== 'scheduled') {
    ctx.out.error(schedule.message);
    throw new SilentExit(ExitCode.failed);
  }
  if (result.firstMessages?.failing) {
    ctx.out.error(result.firstMessages.message);
    throw new SilentExit(ExitCode.failed);
  }
  if (result.firstMessages) ctx.out.info(`Checked: ${result.firstMessages.message}.`);
  if (!ctx.globals.json && !settled) {
    const when = schedule?.kind === 'scheduled' ? `scheduled for ${t.text(schedule.sendAt)}` : 'sent';
    ctx.out.info(`Broadcast ${result.id} (${result.status}) ${when} to ${result.recipients} recipient(s). Follow it with \`wa-cli logs tail ${result.id} --follow\`.`);
  }
}
