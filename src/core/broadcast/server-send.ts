// A server-side send, where the provider has broadcast endpoints (Qontak): a list or an uploaded spreadsheet with the
// bulk endpoint, one number with the direct endpoint. The ledger holds the key before the call; only a certain refusal
// frees it. What is reported is what the server holds, read back after the POST; an answer that says too little is
// settled on the account by the key in the broadcast name, or reported unknown.
import { ConflictError, OperationError, TransientError, WaError } from '../../errors.js';
import { FoundOnAccountError, TransportError } from '../../providers/errors.js';
import type { BroadcastSummary, ContactList, ProviderWith } from '../../providers/port.js';
import type { NormalisedContact } from '../contacts/index.js';
import type { Ledger, LedgerRecord } from '../runs/ledger.js';
import type { PreparedSend } from './prepare.js';
import { broadcastName, findKeyOnAccount } from './key-use.js';
import { buttonParams, resolveMedia } from './needs.js';
import { verifySchedule, type ScheduleCheck } from './schedule.js';
import { layoutProblem, listRejections, rejectedRowsProblem } from '../contacts/list-upload.js';

export interface ServerSendDeps {
  provider: ProviderWith<'broadcasts' | 'lists'>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  readFile: (path: string) => Promise<Buffer>;
  /** Hears the uploaded list's progress while the server processes it. */
  onListProgress?: (list: ContactList) => void;
  /** A line for the person running the send (what is sent and why, where the documents leave a choice). */
  note?: (line: string) => void;
  /** Something the person must know although the send went out. */
  warn?: (line: string) => void;
}

export interface ServerSendResult {
  id: string;
  name: string;
  createdAt: string | undefined;
  /** The server's execute_status, read back; 'unknown' when it could not be read. */
  status: string;
  /** Recipients the server holds: after an upload, the rows it kept. */
  recipients: number;
  /** What the server holds for a scheduled send, read back (absent for a send now). */
  schedule?: ScheduleCheck;
  /**
   * A bulk send with a media header or URL buttons (a shape documented for direct sends only): whether its first
   * messages failed alike, in which case every message probably does. Absent when not checked.
   */
  firstMessages?: { failing: boolean; message: string };
}

/** How long a bulk send with media or buttons waits for its first messages to settle, and how many it looks at. */
const FIRST_MESSAGES = { waitMs: 60_000, count: 3 };

/** How far back the account is looked at for this send's own broadcast (it was made moments ago; clocks drift). */
const OWN_SEND_WINDOW_DAYS = 1;

/** How to check a send left unknown: the same command settles it by looking for the key on the account. */
export function unknownHint(key: string, direct: boolean): string {
  return direct
    ? `A direct send carries no name to find it by: check the recipient's phone or \`wa-cli broadcast list\`. Running the same command again keeps refusing; add --release-unknown to send it again once you know it did not go out.`
    : `Run the same command again to settle it: it looks on the account for the broadcast named "[${key}] …" (also shown by \`wa-cli broadcast list\`) and reports it if it is there.`;
}

export async function serverSend(d: ServerSendDeps, p: PreparedSend, ledger: Ledger): Promise<ServerSendResult> {
  const base: Omit<LedgerRecord, 'status' | 'at'> = { key: p.key, provider: d.provider.name, template: p.summary.template, target: p.audience.target, recipients: p.count };
  const at = () => new Date(d.now()).toISOString();
  await ledger.record({ ...base, at: at(), status: 'started' });
  let sent: { broadcast: BroadcastSummary; recipients: number };
  try {
    sent = p.mode === 'bulk' ? await bulk(d, p) : await direct(d, p);
  } catch (err) {
    if (err instanceof FoundOnAccountError) {
      // Another runner sent this key while the server held this one back: the key is used, by that broadcast.
      await ledger.record({ ...base, at: at(), status: 'done', broadcastId: err.broadcast.id, detail: 'sent by another run (found on the account)' });
      throw new ConflictError(`Not sending: ${err.message} Nothing more was posted.`, { hint: 'A new --idempotency-key sends to every recipient again; use one only if that is what you want.' });
    }
    // Only a send the server certainly refused frees the key; one that may have gone through keeps it taken.
    const maybeActed = !(err instanceof WaError) || (err instanceof TransportError && err.maybeActed);
    await ledger.record({ ...base, at: at(), status: maybeActed ? 'unknown' : 'failed', detail: err instanceof Error ? err.message : String(err) });
    if (maybeActed) {
      const what = err instanceof Error ? err.message : String(err);
      throw new TransientError(`${what} The outcome is unknown, so key ${p.key} stays taken.`, { hint: unknownHint(p.key, p.mode === 'direct') });
    }
    throw err;
  }
  const b = sent.broadcast;
  await ledger.record({ ...base, at: at(), status: 'done', broadcastId: b.id });
  // Read back at once: the answer to a POST is not documented, so what is reported (and a schedule) is what the
  // server holds now. A read that fails leaves the fields the answer had, and a schedule that cannot be confirmed.
  let held: BroadcastSummary | undefined;
  try {
    held = await d.provider.broadcasts.get(b.id);
  } catch {
    held = undefined;
  }
  const now = held ?? b;
  const result: ServerSendResult = { id: b.id, name: now.name || b.name, createdAt: now.createdAt ?? b.createdAt, status: held ? held.status : 'unknown', recipients: sent.recipients };
  if (p.sendAt) {
    result.schedule = held
      ? verifySchedule(p.sendAt, held)
      : { kind: 'unknown', message: `Broadcast ${b.id} was created, but reading it back failed, so whether it holds the schedule is not known. If it must not go out now, stop broadcast ${b.id} in the Qontak web app.` };
  }
  if (p.mode === 'bulk') {
    await checkFindable(d, p, b);
    if ((p.extras.media || p.extras.buttons.length) && !p.sendAt) result.firstMessages = await firstMessages(d, b.id, sent.recipients);
  }
  return result;
}

/**
 * The account is the only record another machine can see: a fresh runner finds this send by the key in its name,
 * among the broadcasts listed since a date. How Qontak stores names and reads `start_date` is not documented, so the
 * send looks itself up once, and says so when it cannot be found that way.
 */
async function checkFindable(d: ServerSendDeps, p: PreparedSend, b: BroadcastSummary): Promise<void> {
  let found: BroadcastSummary | undefined;
  try {
    found = await findKeyOnAccount(d.provider.broadcasts, p.key, { now: d.now, windowDays: OWN_SEND_WINDOW_DAYS });
  } catch {
    return;
  }
  if (found?.id === b.id) return;
  d.warn?.(
    `broadcast ${b.id} cannot be found on the account by its key ${p.key} (Qontak lists it ${found ? `as another broadcast, ${found.id}` : 'without it'}): a run on another machine or with a fresh WA_STATE_DIR would not see this send. Keep this state folder for re-runs of this key.`,
  );
}

/**
 * Qontak documents media headers and URL buttons for direct sends only; a bulk send carries them in the same shape. If
 * the account does not take them there, every message fails after the broadcast was accepted: the first messages are
 * watched until they settle, so that case is reported (exit 1) rather than found later in the log.
 */
async function firstMessages(d: ServerSendDeps, id: string, recipients: number): Promise<ServerSendResult['firstMessages']> {
  const want = Math.max(1, Math.min(recipients, FIRST_MESSAGES.count));
  const deadline = d.now() + FIRST_MESSAGES.waitMs;
  for (;;) {
    let settled: { status: string; error?: string }[] = [];
    try {
      settled = (await d.provider.broadcasts.logPage(id, null)).entries.filter((e) => e.status !== 'pending');
    } catch {
      settled = [];
    }
    if (settled.length >= want) {
      const failed = settled.filter((e) => e.status === 'failed');
      const reasons = new Set(failed.map((e) => e.error ?? ''));
      if (failed.length === settled.length && reasons.size === 1) {
        return {
          failing: true,
          message: `Broadcast ${id}: its first ${failed.length} message(s) failed alike ("${[...reasons][0] || 'no reason given'}"). Qontak documents media headers and URL buttons for direct sends only; this account does not seem to take them on a bulk send, so every message may fail. Check with \`wa-cli logs tail ${id}\`, and stop the broadcast in the Qontak web app if so.`,
        };
      }
      return { failing: false, message: `the first ${settled.length} message(s) of broadcast ${id} went through` };
    }
    if (d.now() >= deadline) return { failing: false, message: `broadcast ${id}: its first messages had not settled after ${FIRST_MESSAGES.waitMs / 1000} s; follow them with \`wa-cli logs tail ${id} --follow\`` };
    await d.sleep(1000);
  }
}

async function header(d: ServerSendDeps, p: PreparedSend) {
  return p.extras.media ? { header: await resolveMedia(p.extras.media, { provider: d.provider, readFile: d.readFile }) } : {};
}

async function bulk(d: ServerSendDeps, p: PreparedSend): Promise<{ broadcast: BroadcastSummary; recipients: number }> {
  const name = broadcastName(p.key, p.name);
  let listId: string;
  let recipients = p.count;
  // Qontak takes every bulk value from a list column: a literal --param becomes a column of the list wa-cli uploads.
  const literalColumns = new Map<string, { column: string; text: string }>();
  const body = () => [...p.mapping.sources].map(([key, s]) => ({ key, value: s.kind === 'column' ? s.column : (literalColumns.get(key)?.column ?? '') }));
  const buttons = p.extras.buttons.length ? buttonParams(p.extras.buttons) : [];
  if (p.audience.kind === 'file') {
    // Only the recipients that passed the send-time checks go into the list: the server sends to all of it.
    const report = p.audience.report!;
    const taken = new Set(report.columns);
    for (const [key, s] of p.mapping.sources) {
      if (s.kind !== 'literal') continue;
      let column = `param_${key}`;
      for (let i = 2; taken.has(column); i++) column = `param_${key}_${i}`;
      taken.add(column);
      literalColumns.set(key, { column, text: s.text });
    }
    const added = [...literalColumns.values()];
    const withLiterals = added.length === 0 ? report : {
      ...report,
      columns: [...report.columns, ...added.map((a) => a.column)],
      variableNames: [...report.variableNames, ...added.map((a) => a.column)],
      valid: report.valid.map((c) => ({ ...c, variables: { ...c.variables, ...Object.fromEntries(added.map((a) => [a.column, a.text])) } })),
    };
    const rows = withLiterals.valid.filter((c) => !p.checked.failedRows.has(c.rowNumber));
    const list = await uploadList(d, { ...withLiterals, valid: rows }, name);
    // Rows the server dropped are never silently counted as sent: stop, or with --skip-invalid report what it kept.
    const dropped = rejectedRowsProblem(list, p.count);
    if (dropped && !p.skipInvalid) throw new OperationError(dropped);
    // The FAQ reads variables from column E, the API notes by header: see that the server holds what the send maps.
    const mapped = [...new Set([...body().map((x) => x.value), ...buttons.map((x) => x.value)].filter((c) => c !== 'full_name' && c !== 'phone_number'))];
    const layout = await layoutProblem(d.provider.lists, list, mapped, rows);
    if (layout) throw new OperationError(layout);
    recipients = listRejections(list).kept;
    listId = list.id;
  } else {
    listId = p.audience.target.slice('list:'.length);
  }
  if (!listId) throw new OperationError('The contact list upload did not succeed; nothing was sent.');
  const findSent = () => findKeyOnAccount(d.provider.broadcasts, p.key, { now: d.now, windowDays: OWN_SEND_WINDOW_DAYS });
  // Looked at again right before the POST: another runner (another machine, another state folder) may have sent this
  // key since the guard looked, while this one uploaded its list or waited for a confirmation.
  const other = await findSent();
  if (other) throw new FoundOnAccountError(`Broadcast ${other.id} "${other.name}" with the same key appeared on the account (created ${other.createdAt ?? 'at an unknown time'}) while this run prepared its send: another run sent it.`, other);
  const b = await d.provider.broadcasts.sendBulk({
    name,
    templateId: p.template.id,
    contactListId: listId,
    channelId: p.channel.id,
    ...(p.template.language ? { language: p.template.language } : {}),
    body: body(),
    ...(await header(d, p)),
    ...(buttons.length ? { buttons } : {}),
    ...(p.sendAt ? { sendAt: p.sendAt } : {}),
    findSent,
  });
  return { broadcast: b, recipients };
}

async function direct(d: ServerSendDeps, p: PreparedSend): Promise<{ broadcast: BroadcastSummary; recipients: number }> {
  const recipient = p.checked.recipients().next().value!;
  // The schema's enum shows only id and en, its description "The same as language from template", and recorded
  // templates are en_US: the template's own code is what the description asks for.
  d.note?.(`language.code ${p.template.language}: the template's language, as Qontak's direct-send schema describes it ("The same as language from template").`);
  const r = await d.provider.broadcasts.sendDirect({
    toName: recipient.name || recipient.phone,
    toNumber: recipient.phone,
    templateId: p.template.id,
    channelId: p.channel.id,
    language: p.template.language,
    body: [...p.mapping.sources].map(([key, s]) => ({ key, valueText: recipient.values[key] ?? '', value: s.kind === 'column' ? s.column : `param_${key}` })),
    ...(await header(d, p)),
    ...(p.extras.buttons.length ? { buttons: buttonParams(p.extras.buttons, (column) => (column === 'phone_number' ? recipient.phone : column === 'full_name' ? recipient.name : '')) } : {}),
  });
  // Only the id is documented for the answer; the rest is the server's, read back by the caller.
  return { broadcast: { id: r.id, name: '', status: 'unknown', createdAt: undefined, sendAt: undefined, templateName: undefined, contactListName: undefined, counts: { pending: 0, sent: 0, delivered: 0, read: 0, failed: 0 }, raw: r.raw }, recipients: 1 };
}

/** The checked rows as one contact list, processed by the server. */
async function uploadList(d: ServerSendDeps, report: import('../contacts/index.js').ContactReport & { valid: NormalisedContact[] }, name: string): Promise<ContactList> {
  const { planUploads, waitForList, listOutcomeProblem } = await import('../contacts/list-upload.js');
  const limits = d.provider.lists.rowLimits;
  const plans = await planUploads(report, name, limits, false, d.note);
  const first = await d.provider.lists.upload(plans[0]!.name, plans[0]!.file);
  const outcome = await waitForList(d.provider.lists, first, { timeoutMs: 600_000, now: d.now, sleep: d.sleep, ...(d.onListProgress ? { onTick: (l: ContactList) => d.onListProgress!(l) } : {}) });
  if (outcome.kind !== 'success') throw new OperationError(`${listOutcomeProblem(outcome)} Nothing was sent.`);
  return outcome.list;
}
