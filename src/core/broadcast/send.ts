// `broadcast send` as one use case: the send prepared and checked, shown, asked for, then made under the guard the way
// the provider can: Qontak's bulk or direct endpoint here, or a journaled Konekwa fan-out (fanout-send.ts) that a re-run
// of the same command continues; with --resume, an unfinished run continued by its id (resume.ts). What needs the
// person or the terminal goes through the injected SendUi; how the send ended comes back for the command to show.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InterruptedError, UsageError } from '../../errors.js';
import { countryFor } from '../../config/profiles.js';
import { CapabilityError, hasPorts, type Provider } from '../../providers/port.js';
import type { Ledger } from '../runs/ledger.js';
import { withSendGuard } from './guard.js';
import { prepareSend, SendRefused, type PreparedSend, type SkippedRow } from './prepare.js';
import { refuseInQuietHours } from './quiet-hours.js';
import type { ServerSendResult } from './server-send.js';
import type { BroadcastRequest, Pace, SendDeps, SendOutcome, SendUi } from './send-io.js';

export type * from './send-io.js';

export async function sendBroadcast(d: SendDeps, req: BroadcastRequest, ui: SendUi): Promise<SendOutcome> {
  // Shorter than the queue takes to list a message, a window would send again what is only waiting to be listed.
  if (req.settle !== undefined && req.settle < 1000) throw new UsageError(`--settle ${req.settle}ms is too short: give the time Konekwa may take to list a queued message, at least 1s (default 1m).`);
  if (req.resume) return (await import('./resume.js')).resumeRun(d, { ...req, resume: req.resume }, ui);
  if (req.moveSession?.length) throw new UsageError('--move-session moves the share of an unfinished run: use it with --resume RUN.');
  if (!req.template) throw new UsageError('--template is required (the template name or id to send).');
  if (req.out && !req.dryRun) throw new UsageError('--out writes the preview of a dry run; add --dry-run.');
  // Refused before anything is read: a cron job without --yes learns it at once, not after the checks.
  if (!req.dryRun && !ui.canConfirm) throw new UsageError('Sending needs a confirmation and there is no terminal to ask on; pass --yes (or --dry-run to only check).');
  const provider = await d.provider();
  const profile = await d.profile();
  const country = countryFor(req.country, profile);
  let prepared: PreparedSend;
  try {
    prepared = await prepareSend(
      {
        provider,
        now: d.now,
        defaults: { channel: d.env.WA_CHANNEL || profile?.defaultChannel, language: profile?.defaultLanguage, costPerMessage: profile?.costPerMessage },
        scanFile: async (file, onValid, onColumns) => {
          const { scanContactFile, maxSheetBytes } = await import('../contacts/load-file.js');
          return scanContactFile(path.resolve(d.cwd, file), { country, sheet: req.sheet, ...maxSheetBytes(d.env) }, onValid, onColumns);
        },
        // A real fan-out writes its plan while the sheet is checked; a dry run keeps it in memory for the preview.
        ...(req.dryRun ? {} : { stagePlan: async (sessions: string[]) => (await import('../runs/plan-stage.js')).PlanStage.create(d.stateDir, sessions) }),
        normalisePhone,
        suppressed: async () => new (await import('../optout/list.js')).OptOutList(d.stateDir, d.profileName).numbers(),
        quiet: { hours: profile?.quietHours, timeZone: profile?.timeZone },
        env: d.env,
      },
      { ...req, template: req.template, param: req.param ?? [], country },
    );
  } catch (err) {
    if (err instanceof SendRefused) return { kind: 'refused', refusal: err, file: req.file };
    throw err;
  }
  try {
    return await sendPrepared(d, ui, provider, prepared, req);
  } finally {
    // A plan staged for a run that did not start (declined, refused, already sent, continued instead) is not kept.
    prepared.staged?.discard();
  }
}

async function sendPrepared(d: SendDeps, ui: SendUi, provider: Provider, p: PreparedSend, req: BroadcastRequest): Promise<SendOutcome> {
  tellSkipped(ui, p.summary.skippedRows);
  // --skip-invalid: the rows left out are warnings on their rows of the file in GitHub Actions.
  ui.annotate(p.summary.skippedRows.map((x) => ({ level: 'warning', file: req.file, line: x.row, title: x.ruleId, message: `skipped: row ${x.row}${x.column ? `, column ${x.column}` : ''}: ${x.reason}` })));
  for (const o of p.summary.optedOut.rows.slice(0, 20)) ui.warn(`skipped row ${o.row} (${o.phone}): opted out`);
  if (!req.dryRun && !req.ignoreQuietHours) refuseInQuietHours(p.summary.quietHours, p.template.category);
  if (req.dryRun && req.out) {
    const rows = await (await import('./preview.js')).writePreview(p, path.resolve(d.cwd, req.out));
    ui.info(`Preview of ${rows} message(s) written to ${req.out}.`);
  }
  // A fan-out goes at its pace: 10,000 recipients at 1/s is most of a working day, which a person should see first.
  const rate = p.mode === 'fanout' ? (req.rate ?? (await import('./fanout-run.js')).DEFAULT_RATE) : undefined;
  // Each session goes at --rate on its own.
  const pace: Pace | undefined = rate ? { ratePerSecond: rate, expectedSeconds: Math.ceil(p.count / (rate * p.channels.length)) } : undefined;
  if (req.dryRun) return { kind: 'dry-run', prepared: p, pace };

  const guard = { stateDir: d.stateDir, key: p.key, now: d.now, provider, searchAccount: p.mode === 'bulk', what: 'Not sending', releaseUnknown: req.releaseUnknown === true, notice: (line: string) => ui.warn(line) };
  return withSendGuard(guard, async (prior, ledger): Promise<SendOutcome> => {
    if (prior.kind === 'settled') {
      // The earlier send whose outcome was unknown is on the account: that is this command's result, and nothing is sent.
      const b = prior.broadcast;
      ui.info(`Key ${p.key}: the send of ${ui.time.text(prior.record.at)} that ended unknown did go out: broadcast ${b.id} "${b.name}" is on the account. Nothing was sent again.`);
      return { kind: 'sent', prepared: p, broadcast: { id: b.id, name: b.name, createdAt: b.createdAt, status: b.status, recipients: prior.record.recipients }, settled: true };
    }
    if (prior.kind === 'fresh' && prior.released) ui.warn(`key ${p.key} released (--release-unknown): its send of ${ui.time.text(prior.released.at)} is not on the account; sending now.`);
    ui.summary({ ...p.summary, ...pace }, p.template.category ?? '');
    if (prior.kind === 'unfinished') return (await import('./fanout-send.js')).continueUnfinished(d, ui, provider, p, ledger, req, prior.runId);
    if (prior.kind === 'lost') return (await import('./fanout-send.js')).rebuildLost(d, ui, provider, p, ledger, req, prior);
    if (!(await ui.confirm(`Send to ${p.count} recipient(s) for about ${p.summary.cost}?`, '--yes'))) return { kind: 'not-sent' };
    if (p.mode === 'fanout') return (await import('./fanout-send.js')).fanOut(d, ui, provider, p, ledger, req);
    return { kind: 'sent', prepared: p, broadcast: await sendOnServer(d, ui, provider, p, ledger), settled: false };
  });
}

/** Qontak: a list or an uploaded spreadsheet with the bulk endpoint, one number with the direct endpoint. */
async function sendOnServer(d: SendDeps, ui: SendUi, provider: Provider, p: PreparedSend, ledger: Ledger): Promise<ServerSendResult> {
  const { serverSend } = await import('./server-send.js');
  if (!hasPorts(provider, 'broadcasts', 'lists')) throw new CapabilityError(provider.name, 'bulk broadcast endpoint', 'wa-cli fans out one message per recipient instead.');
  // What the wait is for: only a spreadsheet send has a list to upload.
  const doing = p.mode === 'direct' ? `Sending to ${p.summary.preview[0]?.to ?? 'the number'}` : p.audience.kind === 'file' ? 'Uploading the contact list' : `Creating the broadcast to list ${p.audience.target.slice('list:'.length)}`;
  const spin = ui.progress(doing);
  let listSeen: string | undefined;
  const onListProgress = (l: { id: string; progress: string }): void => {
    listSeen = l.id;
    spin.update(`Contact list ${l.id}: ${l.progress}`);
  };
  try {
    return await serverSend({ provider, now: d.now, sleep: d.sleep, readFile: (f) => readFile(path.resolve(d.cwd, f)), onListProgress, note: (line) => ui.info(line), warn: (line) => ui.warn(line) }, p, ledger);
  } catch (err) {
    if (!d.signal.aborted || !(err instanceof InterruptedError)) throw err;
    // Stopped before the broadcast was asked for: nothing went out, and the key was freed for the same command.
    throw d.stopped(
      listSeen
        ? `Stopped before the broadcast was created: the contact list ${listSeen} was uploaded, nothing was sent; run the same command again to send.`
        : `Stopped before the broadcast was created: nothing was sent; run the same command again to send.`,
    );
  } finally {
    spin.stop();
  }
}

async function normalisePhone(text: string, country: string): Promise<{ ok: true; phone: string } | { ok: false; message: string }> {
  const { checkCountry } = await import('../contacts/load-file.js');
  const code = await checkCountry(country);
  const { normalisePhoneText } = await import('../contacts/index.js');
  return normalisePhoneText(text, code);
}

/** At most this many skipped rows are named on stderr; --json names every one. */
const SKIPPED_SHOWN = 100;

/** A value as a line shows it: quoted with its tabs and line breaks visible, a long one cut (--json has it whole). */
function shownValue(v: string): string {
  const chars = [...v];
  return chars.length <= 60 ? JSON.stringify(v) : `${JSON.stringify(`${chars.slice(0, 40).join('')}…`)} (${chars.length} characters)`;
}

/** Each row --skip-invalid leaves out, as opt-outs are: row, column, value and why. */
function tellSkipped(ui: SendUi, rows: readonly SkippedRow[]): void {
  for (const s of rows.slice(0, SKIPPED_SHOWN)) {
    const where = s.column !== null ? `, column ${s.column}` : '';
    const value = s.value !== null ? ` = ${shownValue(s.value)}` : '';
    ui.warn(`skipped row ${s.row}${where}${value}: ${s.reason}`);
  }
  if (rows.length > SKIPPED_SHOWN) ui.warn(`… and ${rows.length - SKIPPED_SHOWN} more skipped (--json lists every one in skippedRows)`);
}
