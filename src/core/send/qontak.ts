// Sending through Qontak's own endpoints: a list or an uploaded spreadsheet with the bulk endpoint, one number with
// the direct endpoint. The ledger holds the key before the call; only a certain refusal frees it.
import { OperationError, TransientError, WaError } from '../../errors.js';
import { TransportError } from '../../providers/errors.js';
import type { ContactList, ProviderWith } from '../../providers/port.js';
import type { Ledger, LedgerRecord } from './ledger.js';
import type { PreparedSend } from './prepare.js';
import { broadcastName } from './guard.js';
import { buttonParams, resolveMedia } from './needs.js';
import { verifySchedule, type ScheduleCheck } from './schedule.js';
import { listRejections, rejectedRowsProblem } from '../lists/upload-list.js';

export interface QontakSendDeps {
  provider: ProviderWith<'broadcasts' | 'lists'>;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  readFile: (path: string) => Promise<Buffer>;
  /** Hears the uploaded list's progress while the server processes it. */
  onListProgress?: (list: ContactList) => void;
}

export interface QontakSendResult {
  id: string;
  name: string;
  createdAt: string;
  status: string;
  /** Recipients the server holds: after an upload, the rows it kept. */
  recipients: number;
  /** What the server holds for a scheduled send, read back (absent for a send now). */
  schedule?: ScheduleCheck;
}

export async function sendQontak(d: QontakSendDeps, p: PreparedSend, ledger: Ledger): Promise<QontakSendResult> {
  const base: Omit<LedgerRecord, 'status' | 'at'> = { key: p.key, provider: d.provider.name, template: p.summary.template, target: p.audience.target, recipients: p.count };
  const at = () => new Date(d.now()).toISOString();
  await ledger.record({ ...base, at: at(), status: 'started' });
  let result: QontakSendResult;
  try {
    result = p.mode === 'bulk' ? await bulk(d, p) : await direct(d, p);
  } catch (err) {
    // Only a send the server certainly refused frees the key; one that may have gone through keeps it taken.
    const maybeActed = !(err instanceof WaError) || (err instanceof TransportError && err.maybeActed);
    await ledger.record({ ...base, at: at(), status: maybeActed ? 'unknown' : 'failed', detail: err instanceof Error ? err.message : String(err) });
    if (maybeActed && err instanceof WaError) {
      throw new TransientError(`${err.message} The outcome is unknown, so key ${p.key} stays taken.`, {
        hint: 'Check `wa-cli broadcast list` (or a recipient\'s phone) before sending again; a new --idempotency-key sends to everyone again.',
      });
    }
    throw err;
  }
  await ledger.record({ ...base, at: at(), status: 'done', broadcastId: result.id });
  // The broadcast exists and its key is done; only now is the schedule the server holds compared with the one asked.
  if (p.sendAt) result.schedule = verifySchedule(p.sendAt, await d.provider.broadcasts.get(result.id));
  return result;
}

async function header(d: QontakSendDeps, p: PreparedSend) {
  return p.extras.media ? { header: await resolveMedia(p.extras.media, { provider: d.provider, readFile: d.readFile }) } : {};
}

async function bulk(d: QontakSendDeps, p: PreparedSend): Promise<QontakSendResult> {
  const name = broadcastName(p.key, p.name);
  let listId: string;
  let recipients = p.count;
  // Qontak takes every bulk value from a list column: a literal --param becomes a column of the list wa-cli uploads.
  const literalColumns = new Map<string, { column: string; text: string }>();
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
    const list = await uploadList(d, { ...withLiterals, valid: withLiterals.valid.filter((c) => !p.checked.failedRows.has(c.rowNumber)) }, name);
    // Rows the server dropped are never silently counted as sent: stop, or with --skip-invalid report what it kept.
    const dropped = rejectedRowsProblem(list, p.count);
    if (dropped && !p.skipInvalid) throw new OperationError(dropped);
    recipients = listRejections(list).kept;
    listId = list.id;
  } else {
    listId = p.audience.target.slice('list:'.length);
  }
  if (!listId) throw new OperationError('The contact list upload did not succeed; nothing was sent.');
  const b = await d.provider.broadcasts.sendBulk({
    name,
    templateId: p.template.id,
    contactListId: listId,
    channelId: p.channel.id,
    ...(p.template.language ? { language: p.template.language } : {}),
    body: [...p.mapping.sources].map(([key, s]) => ({ key, value: s.kind === 'column' ? s.column : (literalColumns.get(key)?.column ?? '') })),
    ...(await header(d, p)),
    ...(p.extras.buttons.length ? { buttons: buttonParams(p.extras.buttons) } : {}),
    ...(p.sendAt ? { sendAt: p.sendAt } : {}),
  });
  return { id: b.id, name: b.name || name, createdAt: b.createdAt ?? new Date(d.now()).toISOString(), status: b.status, recipients };
}

async function direct(d: QontakSendDeps, p: PreparedSend): Promise<QontakSendResult> {
  const recipient = p.checked.recipients().next().value!;
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
  return { id: r.id, name: `direct ${recipient.phone}`, createdAt: new Date(d.now()).toISOString(), status: 'todo', recipients: 1 };
}

/** The checked rows as one contact list, processed by the server; more rows than one list holds is refused. */
async function uploadList(d: QontakSendDeps, report: import('../contacts/index.js').ContactReport, name: string): Promise<ContactList> {
  const { planUploads, waitForList } = await import('../lists/upload-list.js');
  const limits = d.provider.lists.rowLimits;
  const plans = await planUploads(report, name, limits, false);
  if (plans.length > 1) throw new OperationError(`${report.file} has ${report.valid.length} recipients, more than one Qontak contact list holds (${limits.csv.toLocaleString('en-US')}); split the file and send each part.`);
  const first = await d.provider.lists.upload(plans[0]!.name, plans[0]!.file);
  const outcome = await waitForList(d.provider.lists, first, { timeoutMs: 600_000, now: d.now, sleep: d.sleep, ...(d.onListProgress ? { onTick: (l: ContactList) => d.onListProgress!(l) } : {}) });
  if (outcome.kind !== 'success') throw new OperationError(`The contact list upload did not succeed (${outcome.kind}, list ${outcome.list.id}); nothing was sent.`);
  return outcome.list;
}
