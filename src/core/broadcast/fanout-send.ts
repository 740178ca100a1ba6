// A send that fans out (Konekwa), with the person watching: a fresh run after a look for who already got this very text,
// a run whose folder was lost rebuilt, an unfinished one continued. Each is driven with its progress shown, and its end
// read back from the journal for the command to show. Loaded only by a send that fans out.
import path from 'node:path';
import { OperationError } from '../../errors.js';
import type { Provider } from '../../providers/port.js';
import { formatDuration } from '../../util/duration.js';
import type { Ledger, LedgerRecord } from '../runs/ledger.js';
import { inspectRun } from '../runs/listing.js';
import { runsDir } from '../runs/paths.js';
import { countsText, runOutcomes, runStory, type RecipientOutcome } from '../runs/story.js';
import { DEFAULT_DEDUPE_WINDOW_MS, leaveOutEarlierSends, type EarlierSend } from './dedupe.js';
import { DEFAULT_SETTLE_MS, JournalWriteError } from './fanout-engine.js';
import { continueRun, DEFAULT_CONCURRENCY, DEFAULT_RATE, rebuildRun, startRun, type NewRun, type RunDeps, type RunResult } from './fanout-run.js';
import { renderFor, type PreparedSend, type SkippedRow } from './prepare.js';
import { quietHoursApply, quietWindow, type QuietWindow } from './quiet-hours.js';
import type { BroadcastRequest, RunFlags, SendDeps, SendOutcome, SendUi } from './send-io.js';

/** How a run treats recipients in doubt: `--settle` (with its default) and `--no-wait`. */
export interface Settling {
  settleMs: number;
  noWait: boolean;
}

export const settlingOf = (f: RunFlags): Settling => ({ settleMs: f.settle ?? DEFAULT_SETTLE_MS, noWait: f.wait === false });

/** `--rate` and `--concurrency` where given; a continued run keeps its own pace otherwise. */
export const paceOf = (f: RunFlags): { rate?: number; concurrency?: number } => ({ ...(f.rate !== undefined ? { rate: f.rate } : {}), ...(f.concurrency !== undefined ? { concurrency: f.concurrency } : {}) });

/** The profile's quiet hours when they apply to a template of this category and were not overridden. */
export async function quietFor(d: SendDeps, category: string | undefined, ignore: boolean): Promise<QuietWindow | undefined> {
  if (ignore) return undefined;
  // A run from before categories were journaled may be promotional.
  if (!quietHoursApply(category ?? '')) return undefined;
  const profile = await d.profile();
  return quietWindow(profile?.quietHours, profile?.timeZone);
}

/** A fresh run, once the person said yes: first a look for who already got this text (Konekwa keeps no key). */
export async function fanOut(d: SendDeps, ui: SendUi, provider: Provider, p: PreparedSend, ledger: Ledger, req: BroadcastRequest): Promise<SendOutcome> {
  const quiet = await quietFor(d, p.template.category, req.ignoreQuietHours === true);
  let spec = newRun(provider, p, req);
  // With no local record of this send, first see who already got this very text.
  const windowMs = req.dedupeWindow ?? DEFAULT_DEDUPE_WINDOW_MS;
  let leftOut: EarlierSend[] = [];
  if (windowMs > 0) {
    const window = formatDuration(windowMs);
    ui.info(`Looking for this text already sent by ${p.channels.map((c) => c.id).join(', ')} within the last ${window} (--dedupe-window)…`);
    const spin = ui.progress('Looking for messages already sent');
    try {
      ({ spec, leftOut } = await leaveOutEarlierSends({ provider, now: d.now }, spec, windowMs, (pages, n) => spin.update(`Looking for messages already sent: ${pages} page(s), ${n} message(s)`)));
    } finally {
      spin.stop();
    }
    // The plan without them is now the one to discard if the run does not start.
    if (typeof spec.recipients !== 'function') p.staged = spec.recipients;
    tellLeftOut(ui, leftOut, window);
    if (spec.count === 0) {
      ui.info('Nothing to send: every recipient already got this text.');
      return { kind: 'nothing-to-send', prepared: p, leftOut };
    }
  }
  const started = (h: { runId: string; total: number; channelIds?: string[] | undefined }): void =>
    ui.notice(`Run ${h.runId}: ${h.total} recipient(s)${h.channelIds ? ` over ${h.channelIds.length} sessions` : ''}. If it stops, run the same command again (or \`wa-cli broadcast send --resume ${h.runId}\`) to continue.`);
  return driveRun(d, ui, provider, settlingOf(req), (deps) => startRun(deps, ledger, spec, started), quiet, { leftOut, skippedRows: p.summary.skippedRows });
}

/** The same command after a crash or a stop: that run is continued, doubtful recipients checked with the server first. */
export async function continueUnfinished(d: SendDeps, ui: SendUi, provider: Provider, p: PreparedSend, ledger: Ledger, req: BroadcastRequest, runId: string): Promise<SendOutcome> {
  const { header, state } = await inspectRun(d.stateDir, runId);
  ui.info(`Key ${p.key} has an unfinished run ${runId} (${countsText(runStory(header, state))}): continuing it.`);
  if (!(await ui.confirm(`Continue run ${runId}?`, '--yes'))) return { kind: 'not-sent' };
  const quiet = await quietFor(d, p.template.category, req.ignoreQuietHours === true);
  return driveRun(d, ui, provider, settlingOf(req), (deps) => continueRun(deps, ledger, runId, paceOf(req)), quiet);
}

/**
 * The ledger names a run of this key whose folder is gone. The same send (the same target) rebuilds it under its own
 * id, every recipient in doubt until the server's listing shows whether it was sent; anything else is refused.
 */
export async function rebuildLost(d: SendDeps, ui: SendUi, provider: Provider, p: PreparedSend, ledger: Ledger, req: BroadcastRequest, lost: { runId: string; record: LedgerRecord }): Promise<SendOutcome> {
  const folder = path.join(runsDir(d.stateDir), lost.runId);
  if (p.mode !== 'fanout' || lost.record.target !== p.audience.target) {
    throw new OperationError(`Key ${p.key} belongs to run ${lost.runId} (${lost.record.template} to ${lost.record.recipients} recipient(s), ${lost.record.at}), whose folder ${folder} is gone, and this send's recipients are not that run's: nothing was sent.`, {
      hint: 'Restore the folder from a backup, or run the original send command again; to send this one anyway, give it its own --idempotency-key.',
    });
  }
  ui.warn(`the folder of run ${lost.runId} (${folder}) is gone: it is rebuilt from this command's recipients, and each is checked with the server (after the settle window) before anything is sent.`);
  if (!(await ui.confirm(`Rebuild and continue run ${lost.runId}?`, '--yes'))) return { kind: 'not-sent' };
  const quiet = await quietFor(d, p.template.category, req.ignoreQuietHours === true);
  const spec = newRun(provider, p, req);
  return driveRun(d, ui, provider, settlingOf(req), (deps) => rebuildRun(deps, ledger, spec, { runId: lost.runId, createdAt: lost.record.at }), quiet);
}

/** The run a fan-out starts with: its plan, pace and ledger record. */
function newRun(provider: Provider, p: PreparedSend, f: RunFlags): NewRun {
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
    rate: f.rate ?? DEFAULT_RATE,
    concurrency: f.concurrency ?? DEFAULT_CONCURRENCY,
    ledgerBase: { key: p.key, provider: provider.name, template: p.summary.template, target: p.audience.target, recipients: p.count },
  };
}

/** Who a fresh run left out because they already got the identical text within the dedupe window. */
function tellLeftOut(ui: SendUi, leftOut: EarlierSend[], window: string): void {
  if (leftOut.length === 0) return;
  ui.notice(`Left out ${leftOut.length} recipient(s) who already got this exact text within the last ${window} (--dedupe-window; 0 sends it again):`);
  for (const l of leftOut.slice(0, 20)) ui.notice(`  row ${l.row} ${l.phone}${l.name ? ` (${l.name})` : ''}: at ${ui.time.text(l.at)}, message ${l.messageId}`);
  if (leftOut.length > 20) ui.notice(`  … and ${leftOut.length - 20} more (--json lists them all)`);
}

/** What a send adds to a run's end: who the look before it left out, and the rows --skip-invalid left out. */
interface RunExtras {
  leftOut: readonly EarlierSend[];
  skippedRows: readonly SkippedRow[];
}

/** Runs `go` with its progress shown (stopping when `quiet` hours begin), then reads back how the run ended. */
export async function driveRun(d: SendDeps, ui: SendUi, provider: Provider, settling: Settling, go: (deps: RunDeps) => Promise<RunResult>, quiet?: QuietWindow, extra: RunExtras = { leftOut: [], skippedRows: [] }): Promise<SendOutcome> {
  const progress = ui.runProgress(settling.settleMs);
  const deps: RunDeps = {
    suppressed: async () => new (await import('../optout/list.js')).OptOutList(d.stateDir, d.profileName).numbers(),
    provider,
    stateDir: d.stateDir,
    now: d.now,
    sleep: (ms) => d.sleep(ms).catch(() => undefined),
    signal: d.signal,
    settleMs: settling.settleMs,
    noWait: settling.noWait,
    onWait: progress.onWait,
    onProgress: progress.onProgress,
    ...(quiet ? { quiet } : {}),
  };
  let result: RunResult;
  try {
    result = await go(deps);
  } catch (err) {
    if (!(err instanceof JournalWriteError)) throw err;
    // Nothing left without its trace on disk; what was in flight is checked with the server on the next run.
    const why = d.explainFs(err.cause) ?? `the run's journal in ${d.stateDir} could not be written (${err.message})`;
    throw new OperationError(`Stopped sending: ${why.replace(/ Free some space and run again\.$/, '')}`, {
      hint: 'Free space or make the folder writable, then run the same command again (or `wa-cli broadcast send --resume RUN`); nobody is sent twice.',
    });
  } finally {
    progress.stop();
  }
  const { header: h, summary: r } = result;
  // Every recipient of a small run; of a large one, those that were not sent. A sending run keeps message ids only in
  // its journal, so a small run's are read back for the table.
  const state = h.total <= 50 ? (await inspectRun(d.stateDir, h.runId)).state : result.state;
  const recipients: RecipientOutcome[] = [];
  // A large run where everyone was sent has no row to show: its plan is not read again.
  if (h.total <= 50 || r.sent < r.total) for await (const o of runOutcomes(result.dir, state)) if (o.state !== 'sent' || h.total <= 50) recipients.push(o);
  const settlesAt = r.doubtful > 0 && r.settlesAt !== undefined ? r.settlesAt : undefined;
  return { kind: 'run', end: { result, story: runStory(h, state), recipients, settlesAt, ...extra } };
}
