// broadcast send: prepare (core), show, confirm, then send under the guard the way the provider can: Qontak bulk or
// direct, or a journaled Konekwa fan-out that a re-run of the same command continues.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { ExitCode, InterruptedError, OperationError, SilentExit, UsageError } from '../../errors.js';
import { spinner } from '../../cli/progress.js';
import { CapabilityError, hasPorts, type Provider } from '../../providers/port.js';
import { prepareSend, renderFor, SendRefused, type PreparedSend, type SendSummary, type SkippedRow } from '../../core/broadcast/prepare.js';
import { quietHoursApply } from '../../core/broadcast/quiet-hours.js';
import { dryRunJson, nothingToSendJson, refusedJson, sentJson } from '../../cli/present/send.js';
import { withSendGuard } from '../../core/broadcast/guard.js';
import { driveAndReport, quietFor, reportLeftOut, type Settling } from './run-report.js';
import { annotate, appendSummary, broadcastSummary } from '../../cli/github.js';
import { formatDuration } from '../../cli/spec.js';
import type { EarlierSend } from '../../core/broadcast/dedupe.js';
import type { NewRun } from '../../core/broadcast/fanout-run.js';
import type { LedgerRecord } from '../../core/runs/ledger.js';
import { countryFor } from '../../config/profiles.js';

export async function run(ctx: Context, opts: Options<'send'>): Promise<void> {
  // Shorter than the queue takes to list a message, a window would send again what is only waiting to be listed.
  if (opts.settle !== undefined && opts.settle < 1000) throw new UsageError(`--settle ${opts.settle}ms is too short: give the time Konekwa may take to list a queued message, at least 1s (default 1m).`);
  if (opts.resume) {
    const { resume } = await import('./run-report.js');
    return resume(ctx, opts.resume, pace(opts), { moves: opts.moveSession ?? [], ignoreQuietHours: opts.ignoreQuietHours === true, settling: await settling(opts) });
  }
  if (opts.moveSession?.length) throw new UsageError('--move-session moves the share of an unfinished run: use it with --resume RUN.');
  if (!opts.template) throw new UsageError('--template is required (the template name or id to send).');
  if (opts.out && !opts.dryRun) throw new UsageError('--out writes the preview of a dry run; add --dry-run.');
  if (!opts.dryRun && !ctx.globals.yes && !ctx.prompter.canPrompt) {
    throw new UsageError('Sending needs a confirmation and there is no terminal to ask on; pass --yes (or --dry-run to only check).');
  }
  const provider = await ctx.provider();
  const profile = await (await ctx.config()).profile(ctx.profileName);
  let prepared: PreparedSend;
  try {
    prepared = await prepareSend(
      {
        provider,
        now: ctx.now,
        defaults: { channel: ctx.env.WA_CHANNEL || profile?.defaultChannel, language: profile?.defaultLanguage, costPerMessage: profile?.costPerMessage },
        scanFile: async (file, onValid, onColumns) => {
          const { scanContactFile, maxSheetBytes } = await import('../../core/contacts/load-file.js');
          return scanContactFile(path.resolve(ctx.cwd, file), { country: countryFor(opts.country, profile), sheet: opts.sheet, ...maxSheetBytes(ctx.env) }, onValid, onColumns);
        },
        // A real fan-out writes its plan while the sheet is checked; a dry run keeps it in memory for the preview.
        ...(opts.dryRun ? {} : { stagePlan: async (sessions: string[]) => (await import('../../core/runs/plan-stage.js')).PlanStage.create(ctx.paths.stateDir, sessions) }),
        normalisePhone: (text, country) => normalisePhone(text, country),
        suppressed: async () => new (await import('../../core/optout/list.js')).OptOutList(ctx.paths.stateDir, ctx.profileName).numbers(),
        quiet: { hours: profile?.quietHours, timeZone: profile?.timeZone },
        env: ctx.env,
      },
      { ...opts, template: opts.template, country: countryFor(opts.country, profile) },
    );
  } catch (err) {
    if (err instanceof SendRefused) printProblems(ctx, err, opts.file);
    throw err;
  }
  try {
    await sendPrepared(ctx, provider, prepared, opts);
  } finally {
    // A plan staged for a run that did not start (declined, refused, already sent, continued instead) is not kept.
    prepared.staged?.discard();
  }
}

async function sendPrepared(ctx: Context, provider: Provider, p: PreparedSend, opts: Options<'send'>): Promise<void> {
  printSkipped(ctx, p.summary.skippedRows);
  // --skip-invalid: the rows left out are warnings on their rows of the file in GitHub Actions.
  annotate(ctx, p.summary.skippedRows.map((x) => ({ level: 'warning', file: opts.file, line: x.row, title: x.ruleId, message: `skipped: row ${x.row}${x.column ? `, column ${x.column}` : ''}: ${x.reason}` })));
  for (const o of p.summary.optedOut.rows.slice(0, 20)) ctx.out.warn(`skipped row ${o.row} (${o.phone}): opted out`);
  if (!opts.dryRun && !opts.ignoreQuietHours) (await import('../../core/broadcast/quiet-hours.js')).refuseInQuietHours(p.summary.quietHours, p.template.category);
  if (opts.dryRun && opts.out) {
    const rows = await (await import('../../core/broadcast/preview.js')).writePreview(p, path.resolve(ctx.cwd, opts.out));
    ctx.out.info(`Preview of ${rows} message(s) written to ${opts.out}.`);
  }
  // A fan-out goes at its pace: 10,000 recipients at 1/s is most of a working day, which a person should see first.
  const rate = p.mode === 'fanout' ? (opts.rate ?? (await import('../../core/broadcast/fanout-run.js')).DEFAULT_RATE) : undefined;
  // Each session goes at --rate on its own.
  const expected = rate ? { ratePerSecond: rate, expectedSeconds: Math.ceil(p.count / (rate * p.channels.length)) } : undefined;
  const summary = { ...p.summary, ...expected };
  const category = p.template.category ?? '';
  if (opts.dryRun) {
    if (ctx.globals.json) ctx.out.json(dryRunJson(p, expected, ctx.time));
    else printSummary((t) => ctx.out.print(t), summary, category, 'Dry run: nothing was sent.');
    return;
  }

  await withSendGuard({ stateDir: ctx.paths.stateDir, key: p.key, now: ctx.now, provider, searchAccount: p.mode === 'bulk', what: 'Not sending', releaseUnknown: opts.releaseUnknown === true, notice: (line) => ctx.out.warn(line) }, async (prior, ledger) => {
    if (prior.kind === 'settled') {
      // The earlier send whose outcome was unknown is on the account: that is this command's result, and nothing is sent.
      const b = prior.broadcast;
      ctx.out.info(`Key ${p.key}: the send of ${ctx.time.text(prior.record.at)} that ended unknown did go out: broadcast ${b.id} "${b.name}" is on the account. Nothing was sent again.`);
      return reportSent(ctx, p, { id: b.id, name: b.name, createdAt: b.createdAt, status: b.status, recipients: prior.record.recipients }, true);
    }
    if (prior.kind === 'fresh' && prior.released) ctx.out.warn(`key ${p.key} released (--release-unknown): its send of ${ctx.time.text(prior.released.at)} is not on the account; sending now.`);
    if (!ctx.globals.quiet || !ctx.globals.yes) printSummary((t) => ctx.out.info(t), summary, category);
    if (prior.kind === 'unfinished') {
      // The same command after a crash or a stop: continue that run, checking doubtful recipients with the server first.
      const { continueRun } = await import('../../core/broadcast/fanout-run.js');
      const { inspectRun } = await import('../../core/runs/listing.js');
      const { countsText, runStory } = await import('../../core/runs/story.js');
      const { header, state } = await inspectRun(ctx.paths.stateDir, prior.runId);
      ctx.out.info(`Key ${p.key} has an unfinished run ${prior.runId} (${countsText(runStory(header, state))}): continuing it.`);
      const go = await ctx.prompter.confirm(`Continue run ${prior.runId}?`, { flag: '--yes' });
      if (!go) return notSent(ctx);
      const quiet = await quietFor(ctx, p.template.category, opts.ignoreQuietHours === true);
      return driveAndReport(ctx, provider, await settling(opts), (deps) => continueRun(deps, ledger, prior.runId, pace(opts)), quiet);
    }
    if (prior.kind === 'lost') return rebuild(ctx, provider, p, ledger, opts, prior);
    const go = await ctx.prompter.confirm(`Send to ${p.count} recipient(s) for about ${p.summary.cost}?`, { flag: '--yes' });
    if (!go) return notSent(ctx);
    if (p.mode === 'fanout') return fanout(ctx, provider, p, ledger, opts);
    const { serverSend } = await import('../../core/broadcast/server-send.js');
    if (!hasPorts(provider, 'broadcasts', 'lists')) throw new CapabilityError(provider.name, 'bulk broadcast endpoint', 'wa-cli fans out one message per recipient instead.');
    // What the wait is for: only a spreadsheet send has a list to upload.
    const doing = p.mode === 'direct' ? `Sending to ${p.summary.preview[0]?.to ?? 'the number'}` : p.audience.kind === 'file' ? 'Uploading the contact list' : `Creating the broadcast to list ${p.audience.target.slice('list:'.length)}`;
    const spin = spinner(ctx, doing);
    let listSeen: string | undefined;
    const onListProgress = (l: { id: string; progress: string }): void => {
      listSeen = l.id;
      spin.update(`Contact list ${l.id}: ${l.progress}`);
    };
    let result: Awaited<ReturnType<typeof serverSend>>;
    try {
      result = await serverSend({ provider, now: ctx.now, sleep: (ms) => ctx.sleep(ms), readFile: (f) => readFile(path.resolve(ctx.cwd, f)), onListProgress, note: (line) => ctx.out.info(line), warn: (line) => ctx.out.warn(line) }, p, ledger);
    } catch (err) {
      if (!ctx.signal.aborted || !(err instanceof InterruptedError)) throw err;
      // Stopped before the broadcast was asked for: nothing went out, and the key was freed for the same command.
      throw ctx.stopped(
        listSeen
          ? `Stopped before the broadcast was created: the contact list ${listSeen} was uploaded, nothing was sent; run the same command again to send.`
          : `Stopped before the broadcast was created: nothing was sent; run the same command again to send.`,
      );
    } finally {
      spin.stop();
    }
    return reportSent(ctx, p, result, false);
  });
}

/** The run a fan-out starts with: its plan, pace and ledger record. */
async function newRun(provider: Provider, p: PreparedSend, opts: Options<'send'>): Promise<NewRun> {
  const { DEFAULT_CONCURRENCY, DEFAULT_RATE } = await import('../../core/broadcast/fanout-run.js');
  return {
    template: p.template,
    channels: p.channels,
    ...(p.summary.shard ? { shard: p.summary.shard.shard } : {}),
    recipients:
      p.staged ??
      function* () {
        for (const r of p.checked.recipients()) yield { ...r, text: renderFor(p.template, r.values) };
      },
    count: p.count,
    key: p.key,
    name: p.name,
    rate: opts.rate ?? DEFAULT_RATE,
    concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY,
    ledgerBase: { key: p.key, provider: provider.name, template: p.summary.template, target: p.audience.target, recipients: p.count },
  };
}

/** The broadcast a send made (or, `settled`, the one an earlier send left unknown turned out to make). */
async function reportSent(ctx: Context, p: PreparedSend, result: import('../../core/broadcast/server-send.js').ServerSendResult, settled: boolean): Promise<void> {
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

async function fanout(ctx: Context, provider: Provider, p: PreparedSend, ledger: import('../../core/runs/ledger.js').Ledger, opts: Options<'send'>): Promise<void> {
  const { startRun } = await import('../../core/broadcast/fanout-run.js');
  const { leaveOutEarlierSends, DEFAULT_DEDUPE_WINDOW_MS } = await import('../../core/broadcast/dedupe.js');
  const quiet = await quietFor(ctx, p.template.category, opts.ignoreQuietHours === true);
  let spec = await newRun(provider, p, opts);
  // Konekwa keeps no key: with no local record of this send, first see who already got this very text.
  const windowMs = opts.dedupeWindow ?? DEFAULT_DEDUPE_WINDOW_MS;
  let leftOut: EarlierSend[] = [];
  if (windowMs > 0) {
    const window = formatDuration(windowMs);
    ctx.out.info(`Looking for this text already sent by ${p.channels.map((c) => c.id).join(', ')} within the last ${window} (--dedupe-window)…`);
    const spin = spinner(ctx, 'Looking for messages already sent');
    try {
      ({ spec, leftOut } = await leaveOutEarlierSends({ provider, now: ctx.now }, spec, windowMs, (pages, n) => spin.update(`Looking for messages already sent: ${pages} page(s), ${n} message(s)`)));
    } finally {
      spin.stop();
    }
    // The plan without them is now the one to discard if the run does not start.
    if (typeof spec.recipients !== 'function') p.staged = spec.recipients;
    reportLeftOut(ctx, leftOut, window);
    if (spec.count === 0) {
      ctx.out.info('Nothing to send: every recipient already got this text.');
      if (ctx.globals.json) ctx.out.json(nothingToSendJson(p, { leftOut, skippedRows: p.summary.skippedRows }, ctx.time));
      return;
    }
  }
  return driveAndReport(
    ctx,
    provider,
    await settling(opts),
    (deps) =>
      startRun(deps, ledger, spec, (h) =>
        ctx.out.notice(`Run ${h.runId}: ${h.total} recipient(s)${h.channelIds ? ` over ${h.channelIds.length} sessions` : ''}. If it stops, run the same command again (or \`wa-cli broadcast send --resume ${h.runId}\`) to continue.`),
      ),
    quiet,
    { leftOut, skippedRows: p.summary.skippedRows },
  );
}

/**
 * The ledger names a run of this key whose folder is gone. The same send (the same target) rebuilds it under its own
 * id, every recipient in doubt until the server's listing shows whether it was sent; anything else is refused.
 */
async function rebuild(ctx: Context, provider: Provider, p: PreparedSend, ledger: import('../../core/runs/ledger.js').Ledger, opts: Options<'send'>, lost: { runId: string; record: LedgerRecord }): Promise<void> {
  const { rebuildRun } = await import('../../core/broadcast/fanout-run.js');
  const { runsDir } = await import('../../core/runs/paths.js');
  const folder = path.join(runsDir(ctx.paths.stateDir), lost.runId);
  if (p.mode !== 'fanout' || lost.record.target !== p.audience.target) {
    throw new OperationError(`Key ${p.key} belongs to run ${lost.runId} (${lost.record.template} to ${lost.record.recipients} recipient(s), ${lost.record.at}), whose folder ${folder} is gone, and this send's recipients are not that run's: nothing was sent.`, {
      hint: 'Restore the folder from a backup, or run the original send command again; to send this one anyway, give it its own --idempotency-key.',
    });
  }
  ctx.out.warn(`the folder of run ${lost.runId} (${folder}) is gone: it is rebuilt from this command's recipients, and each is checked with the server (after the settle window) before anything is sent.`);
  const go = await ctx.prompter.confirm(`Rebuild and continue run ${lost.runId}?`, { flag: '--yes' });
  if (!go) return notSent(ctx);
  const quiet = await quietFor(ctx, p.template.category, opts.ignoreQuietHours === true);
  const spec = await newRun(provider, p, opts);
  return driveAndReport(ctx, provider, await settling(opts), (deps) => rebuildRun(deps, ledger, spec, { runId: lost.runId, createdAt: lost.record.at }), quiet);
}

/** `--settle` and `--no-wait`, with the default window. */
async function settling(opts: Options<'send'>): Promise<Settling> {
  const { DEFAULT_SETTLE_MS } = await import('../../core/broadcast/fanout-engine.js');
  return { settleMs: opts.settle ?? DEFAULT_SETTLE_MS, noWait: opts.wait === false };
}

const pace = (opts: Options<'send'>) => ({ ...(opts.rate !== undefined ? { rate: opts.rate } : {}), ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}) });

function notSent(ctx: Context): never {
  ctx.out.info('Not sent.');
  throw new SilentExit(ExitCode.failed);
}

async function normalisePhone(text: string, country: string): Promise<{ ok: true; phone: string } | { ok: false; message: string }> {
  const { checkCountry } = await import('../../core/contacts/load-file.js');
  const code = await checkCountry(country);
  const { normalisePhoneText } = await import('../../core/contacts/index.js');
  return normalisePhoneText(text, code);
}

function printProblems(ctx: Context, err: SendRefused, file: string | undefined): void {
  annotate(ctx, err.problems.map((p) => ({ level: 'error', file, line: p.row, title: p.ruleId, message: p.message })));
  if (ctx.globals.json) return ctx.out.json(refusedJson(err.problems));
  const shown = err.problems.slice(0, 50);
  for (const p of shown) ctx.out.error(p.message);
  if (err.problems.length > shown.length) ctx.out.info(`… and ${err.problems.length - shown.length} more (--json lists them all)`);
}

/** At most this many skipped rows are named on stderr; --json names every one. */
const SKIPPED_SHOWN = 100;

/** A value as a line shows it: quoted with its tabs and line breaks visible, a long one cut (--json has it whole). */
function shownValue(v: string): string {
  const chars = [...v];
  return chars.length <= 60 ? JSON.stringify(v) : `${JSON.stringify(`${chars.slice(0, 40).join('')}…`)} (${chars.length} characters)`;
}

/** Each row --skip-invalid leaves out, as opt-outs are: row, column, value and why. */
function printSkipped(ctx: Context, rows: readonly SkippedRow[]): void {
  for (const s of rows.slice(0, SKIPPED_SHOWN)) {
    const where = s.column !== null ? `, column ${s.column}` : '';
    const value = s.value !== null ? ` = ${shownValue(s.value)}` : '';
    ctx.out.warn(`skipped row ${s.row}${where}${value}: ${s.reason}`);
  }
  if (rows.length > SKIPPED_SHOWN) ctx.out.warn(`… and ${rows.length - SKIPPED_SHOWN} more skipped (--json lists every one in skippedRows)`);
}

function printSummary(print: (t: string) => void, s: SendSummary & { ratePerSecond?: number; expectedSeconds?: number }, category: string, footer?: string): void {
  print(`Template:     ${s.template}`);
  print(`Channel:      ${s.channel}`);
  print(`Recipients:   ${s.recipients}${s.skipped ? ` (${s.skipped} skipped)` : ''}`);
  print(`Cost:         about ${s.cost}`);
  print(`When:         ${s.schedule}`);
  if (s.expectedSeconds !== undefined) print(`Duration:     about ${roughDuration(s.expectedSeconds)} at ${s.ratePerSecond}/s (--rate)`);
  print(`Key:          ${s.idempotencyKey}`);
  if (s.optedOut.count) print(`Opted out:    ${s.optedOut.count} left out (rows ${s.optedOut.rows.slice(0, 10).map((r) => r.row).join(', ')}${s.optedOut.count > 10 ? ', …' : ''})`);
  if (s.shard) print(`Shard:        ${s.shard.shard} (${s.shard.otherShards} recipient(s) in the other shards)`);
  if (s.quietHours) print(`Quiet hours:  ${quietLine(s.quietHours, category)}`);
  for (const p of s.preview) {
    print(`\n→ ${p.to}${p.name ? ` (${p.name})` : ''}`);
    for (const line of p.text.split('\n')) print(`  │ ${line}`);
  }
  if (footer) print(`\n${footer}`);
}

/** The window, whether it holds the send, and whether that stops it: a UTILITY or AUTHENTICATION template still goes. */
function quietLine(q: NonNullable<SendSummary['quietHours']>, category: string): string {
  const window = `${q.window} ${q.timeZone}`;
  if (!q.inside) return `${window}, not now`;
  if (!quietHoursApply(category)) return `${window}, now until ${q.endsAtText}; a ${category.toUpperCase()} template is sent in them`;
  return `${window}, now, until ${q.endsAtText}: not sent before then (--ignore-quiet-hours overrides)`;
}

/** "2 h 47 m", "12 m", "40 s". */
function roughDuration(seconds: number): string {
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  if (h > 0) return `${h} h ${m} m`;
  return m > 0 ? `${m} m` : `${seconds} s`;
}
