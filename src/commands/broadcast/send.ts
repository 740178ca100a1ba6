// broadcast send: resolve, check every recipient, show, confirm, guard against a second send, then send the way the
// provider can (Qontak bulk or direct; a journaled fan-out for Konekwa).
import { createHash } from 'node:crypto';
import type { Context } from '../../cli/context.js';
import { ConflictError, NotFoundError, OperationError, SilentExit, ExitCode, TransientError, UsageError, WaError } from '../../errors.js';
import { TransportError } from '../../providers/errors.js';
import { CapabilityError, type Channel, type Provider, type RemoteTemplate } from '../../providers/port.js';
import { parseParams } from '../../core/send/params.js';
import { pickChannel, pickTemplate } from '../../core/send/resolve.js';
import { buildMapping, checkBulkMapping, checkRecipients, costEstimate, DEFAULT_COST_PER_MESSAGE, type Contact, type Recipient, type SendProblem } from '../../core/send/plan.js';
import { sendRules } from '../../core/send/rules.js';
import { defaultIdempotencyKey, Ledger } from '../../core/send/ledger.js';
import { findKeyUse, lockFile } from '../../core/send/guard.js';
import { acquireLock, LockHeldError } from '../../core/send/lock.js';
import type { ContactReport } from '../../core/contacts/index.js';
import { loadContacts } from '../contacts/load.js';

export interface SendOptions {
  template?: string;
  list?: string;
  file?: string;
  to?: string;
  toName?: string;
  channel?: string;
  param: string[];
  language?: string;
  name?: string;
  schedule?: string;
  idempotencyKey?: string;
  dryRun?: boolean;
  skipInvalid?: boolean;
  rate?: number;
  concurrency?: number;
  resume?: string;
  country?: string;
  sheet?: string;
}

interface Audience {
  kind: 'list' | 'file' | 'to';
  /** What the idempotency key covers: the list id, the file's normalised content, the number. */
  target: string;
  /** Iterated more than once (checks, preview, plan) without holding a copy. */
  contacts: () => Iterable<Contact>;
  columns: string[];
  report?: ContactReport;
  skippedRows: number;
}

const PREVIEW = 3;

export async function run(ctx: Context, opts: SendOptions): Promise<void> {
  if (opts.resume) {
    const { resumeFanout } = await import('./fanout.js');
    return resumeFanout(ctx, opts.resume, opts);
  }
  if (!opts.template) throw new UsageError('--template is required (the template name or id to send).');
  const targets = [opts.list, opts.file, opts.to].filter((t) => t !== undefined).length;
  if (targets !== 1) throw new UsageError('Give exactly one of --list ID, --file SHEET or --to PHONE.');
  if (!opts.dryRun && !ctx.globals.yes && !ctx.prompter.canPrompt) {
    throw new UsageError('Sending needs a confirmation and there is no terminal to ask on; pass --yes (or --dry-run to only check).');
  }
  const provider = await ctx.provider();
  const profile = await (await ctx.config()).profile(ctx.profileName);
  if (opts.list && !provider.capabilities.contactLists) throw new CapabilityError(provider.name, 'contact lists', 'Send from a spreadsheet with --file instead.');
  if (opts.schedule && (!provider.capabilities.scheduling || opts.to)) {
    throw new UsageError(`--schedule works for Qontak list and spreadsheet sends only${provider.capabilities.scheduling ? '' : `; ${provider.name} cannot schedule`}.`);
  }
  const sendAt = opts.schedule ? parseSchedule(opts.schedule, ctx.now()) : undefined;

  const template = await resolveTemplate(provider, opts.template, opts.language ?? profile?.defaultLanguage);
  const channel = await resolveChannel(provider, opts.channel, profile?.defaultChannel);
  const params = parseParams(opts.param);
  const audience = await loadAudience(ctx, provider, opts);

  const { mapping, problems: mappingProblems } = buildMapping(template, params, audience.columns, sendRules);
  const bulk = provider.capabilities.bulkBroadcast && audience.kind !== 'to';
  const problems: SendProblem[] = [...mappingProblems, ...(bulk ? checkBulkMapping(mapping, sendRules) : [])];
  if (problems.length > 0) return refuse(ctx, problems, 'the parameters do not fit the template');
  const checked = checkRecipients(template, audience.contacts, mapping, sendRules);
  if (checked.problems.length > 0 && (!opts.skipInvalid || audience.kind === 'list')) {
    return refuse(ctx, checked.problems, `${checked.invalidRows} recipient(s) would get a broken message`, audience.kind === 'list' ? undefined : '--skip-invalid');
  }
  const count = checked.count;
  if (count === 0) throw new OperationError('No recipient is left to send to.');
  const preview: Recipient[] = [];
  for (const r of checked.recipients()) if (preview.push(r) >= PREVIEW) break;

  const perMessage = profile?.costPerMessage ?? DEFAULT_COST_PER_MESSAGE;
  const key =
    opts.idempotencyKey ??
    defaultIdempotencyKey({
      provider: provider.name,
      templateId: template.id,
      language: template.language,
      target: audience.target,
      params: Object.fromEntries([...mapping.sources].map(([k, s]) => [k, s.kind === 'column' ? s.column : `:${s.text}`])),
    });
  const name = opts.name ?? `${template.name}-${new Date(ctx.now()).toISOString().slice(0, 16).replace(/[-:T]/g, '')}`;
  const summary = {
    template: `${template.name}${template.language ? ` (${template.language})` : ''}`,
    channel: `${channel.name} ${channel.id}`,
    recipients: count,
    skipped: audience.skippedRows + checked.invalidRows,
    cost: costEstimate(count, perMessage),
    schedule: sendAt ?? 'now',
    idempotencyKey: key,
    preview: preview.map((r) => ({ to: r.phone, name: r.name, text: sendRules.render(template.body, r.values) })),
  };
  for (const p of checked.problems.slice(0, 20)) ctx.out.warn(`skipped ${p.message}`);

  if (opts.dryRun) {
    if (ctx.globals.json) ctx.out.json({ dryRun: true, ...summary });
    else printSummary((t) => ctx.out.print(t), summary, 'Dry run: nothing was sent.');
    return;
  }

  const ledger = new Ledger(ctx.paths.stateDir);
  await refuseIfUsed(provider, ledger, key, bulk);
  const release = await takeLock(ctx, key, 'Not sending');
  try {
    // Checked again under the lock: the run that held it a moment ago may have just finished.
    await refuseIfUsed(provider, ledger, key, bulk);
    if (!ctx.globals.quiet || !ctx.globals.yes) printSummary((t) => ctx.out.info(t), summary);
    const go = await ctx.prompter.confirm(`Send to ${count} recipient(s) for about ${summary.cost}?`, { flag: '--yes' });
    if (!go) {
      ctx.out.info('Not sent.');
      throw new SilentExit(ExitCode.failed);
    }
    const base = { key, at: new Date(ctx.now()).toISOString(), provider: provider.name, template: summary.template, target: audience.target, recipients: count };
    if (!provider.capabilities.bulkBroadcast) {
      const { startFanout } = await import('./fanout.js');
      await startFanout(ctx, provider, { template, channel, recipients: () => checked.recipients(), count, key, name, ledger, opts, ledgerBase: base });
      return;
    }
    await ledger.record({ ...base, status: 'started' });
    let result: { id: string; name: string; status: string };
    try {
      result = bulk
        ? await sendQontakBulk(ctx, provider, { template, channel, audience, failedRows: checked.failedRows, mapping, name: `${name} [${key}]`, sendAt, opts })
        : await sendQontakDirect(provider, { template, channel, recipient: preview[0]!, mappingSources: mapping.sources });
    } catch (err) {
      // Only a send the server certainly refused frees the key; one that may have gone through keeps it taken.
      const maybeActed = !(err instanceof WaError) || (err instanceof TransportError && err.maybeActed);
      await ledger.record({ ...base, at: new Date(ctx.now()).toISOString(), status: maybeActed ? 'unknown' : 'failed', detail: err instanceof Error ? err.message : String(err) });
      if (maybeActed && err instanceof WaError) {
        throw new TransientError(`${err.message} The outcome is unknown, so key ${key} stays taken.`, {
          hint: `Check \`wa-cli broadcast list\` (or the recipient's phone) before sending again with a new --idempotency-key.`,
        });
      }
      throw err;
    }
    await ledger.record({ ...base, at: new Date(ctx.now()).toISOString(), status: 'done', broadcastId: result.id });
    const out = { broadcastId: result.id, name: result.name, status: result.status, recipients: count, schedule: sendAt ?? null, idempotencyKey: key };
    if (ctx.globals.json) ctx.out.json(out);
    else {
      ctx.out.print(result.id);
      ctx.out.info(`Sent: broadcast ${result.id} (${result.status}) to ${count} recipient(s). Follow it with \`wa-cli logs tail ${result.id} --follow\`.`);
    }
  } finally {
    await release();
  }
}

function parseSchedule(value: string, now: number): string {
  const at = Date.parse(value);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) || Number.isNaN(at)) throw new UsageError(`--schedule "${value}" is not an ISO 8601 time such as 2026-12-01T09:00:00+07:00.`);
  if (!/(Z|[+-]\d{2}:?\d{2})$/.test(value)) throw new UsageError(`--schedule "${value}" has no time zone; add one (e.g. +07:00 for WIB, or Z).`);
  if (at <= now) throw new UsageError(`--schedule ${value} is in the past.`);
  return value;
}

async function resolveTemplate(provider: Provider, nameOrId: string, language: string | undefined): Promise<RemoteTemplate> {
  const candidates: RemoteTemplate[] = [];
  if (/^[0-9a-f-]{36}$/i.test(nameOrId) || nameOrId.startsWith('tpl_')) {
    try {
      candidates.push(await provider.getTemplate(nameOrId));
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
    }
  }
  if (candidates.length === 0) for await (const t of provider.listTemplates({ query: nameOrId })) if (t.name === nameOrId) candidates.push(t);
  const pick = pickTemplate(candidates, nameOrId, language);
  if (pick.ok) return pick.value;
  if (pick.reason === 'not-found') throw new NotFoundError(pick.message, { hint: '`wa-cli templates list` shows them.' });
  if (pick.reason === 'ambiguous') throw new UsageError(pick.message);
  throw new OperationError(pick.message);
}

async function resolveChannel(provider: Provider, flag: string | undefined, profileDefault: string | undefined): Promise<Channel> {
  const pick = pickChannel(await provider.listChannels(), flag, profileDefault);
  if (pick.ok) return pick.value;
  if (pick.reason === 'not-found') throw new NotFoundError(pick.message);
  if (pick.reason === 'ambiguous') throw new UsageError(pick.message);
  throw new OperationError(pick.message);
}

async function loadAudience(ctx: Context, provider: Provider, opts: SendOptions): Promise<Audience> {
  if (opts.to !== undefined) {
    const { normalisePhoneText } = await import('../../core/contacts/index.js');
    const profile = await (await ctx.config()).profile(ctx.profileName);
    const country = (opts.country ?? profile?.defaultCountry ?? 'ID').toUpperCase();
    const phone = normalisePhoneText(opts.to, country as never);
    if (!phone.ok) throw new UsageError(`--to ${opts.to}: ${phone.message}.`);
    return {
      kind: 'to',
      target: `to:${phone.phone}`,
      contacts: () => [{ row: 1, phone: phone.phone, name: opts.toName ?? '', variables: {} }],
      columns: [],
      skippedRows: 0,
    };
  }
  if (opts.file !== undefined) {
    const report = await loadContacts(ctx, opts.file, opts);
    if (report.invalid > 0 && !opts.skipInvalid) {
      const problems: SendProblem[] = report.problems.filter((p) => p.severity === 'error').map((p) => ({ ...(p.rowNumber ? { row: p.rowNumber } : {}), ruleId: p.code, message: p.message }));
      await refuse(ctx, problems, `${report.file} has ${report.invalid} invalid row(s)`, '--skip-invalid');
    }
    const { toCsvBuffer } = await import('../../core/contacts/index.js');
    const digest = createHash('sha256').update(toCsvBuffer(report)).digest('hex').slice(0, 16);
    return {
      kind: 'file',
      target: `file:${digest}`,
      contacts: function* () {
        for (const c of report.valid) yield { row: c.rowNumber, phone: c.phone_number, name: c.full_name, variables: c.variables };
      },
      columns: report.variableNames,
      report,
      skippedRows: report.invalid + report.duplicates.length,
    };
  }
  const list = await provider.getContactList(opts.list!);
  if (list.progress !== 'success') throw new OperationError(`Contact list ${list.id} is ${list.progress}, not ready to send to.`);
  const contacts: Contact[] = [];
  let row = 1;
  for await (const c of provider.listContacts(list.id)) contacts.push({ row: ++row, phone: c.phone, name: c.name, variables: c.variables });
  return { kind: 'list', target: `list:${list.id}`, contacts: () => contacts, columns: list.variables, skippedRows: 0 };
}

async function refuse(ctx: Context, problems: SendProblem[], what: string, flag?: string): Promise<never> {
  const shown = ctx.globals.json ? problems : problems.slice(0, 50);
  if (ctx.globals.json) ctx.out.json({ sent: false, problems });
  else {
    for (const p of shown) ctx.out.error(p.message);
    if (problems.length > shown.length) ctx.out.info(`… and ${problems.length - shown.length} more (--json lists them all)`);
  }
  throw new OperationError(`Nothing was sent: ${what}.`, flag ? { hint: `Fix them, or pass ${flag} to send to the others.` } : {});
}

function printSummary(print: (t: string) => void, s: { template: string; channel: string; recipients: number; skipped: number; cost: string; schedule: string; idempotencyKey: string; preview: { to: string; name: string; text: string }[] }, footer?: string): void {
  print(`Template:     ${s.template}`);
  print(`Channel:      ${s.channel}`);
  print(`Recipients:   ${s.recipients}${s.skipped ? ` (${s.skipped} skipped)` : ''}`);
  print(`Cost:         about ${s.cost}`);
  print(`When:         ${s.schedule}`);
  print(`Key:          ${s.idempotencyKey}`);
  for (const p of s.preview) {
    print(`\n→ ${p.to}${p.name ? ` (${p.name})` : ''}`);
    for (const line of p.text.split('\n')) print(`  │ ${line}`);
  }
  if (footer) print(`\n${footer}`);
}

/** A used key is a conflict (exit 5) that says when and what the first send was. */
async function refuseIfUsed(provider: Provider, ledger: Ledger, key: string, searchAccount: boolean): Promise<void> {
  const use = await findKeyUse(ledger, provider, key, searchAccount);
  if (!use) return;
  if (use.where === 'account') {
    const b = use.broadcast;
    throw new ConflictError(`Already sent with idempotency key ${key}: broadcast ${b.id} "${b.name}" created ${b.createdAt ?? '(unknown time)'}, ${b.templateName ?? ''}.`, {
      hint: 'Found on the account (another machine sent it). Use another --idempotency-key to send again on purpose.',
    });
  }
  const r = use.record;
  throw new ConflictError(
    `${r.status === 'unknown' ? 'A send with' : 'Already sent with'} idempotency key ${key}: ${r.status === 'unknown' ? 'outcome unknown' : r.status} at ${r.at}, ${r.template} to ${r.recipients} recipient(s)${r.broadcastId ? `, broadcast ${r.broadcastId}` : ''}${r.runId ? `, run ${r.runId}` : ''}.`,
    { hint: 'Use another --idempotency-key to send again on purpose.' },
  );
}

/** One run per key at a time: a second, overlapping run (cron firing again) exits 5. */
export async function takeLock(ctx: Context, key: string, what: string): Promise<() => Promise<void>> {
  try {
    return await acquireLock(lockFile(ctx.paths.stateDir, key), ctx.now);
  } catch (err) {
    if (err instanceof LockHeldError) throw new ConflictError(`${what}: ${err.message}; it is sending key ${key} right now.`);
    throw err;
  }
}

async function sendQontakBulk(
  ctx: Context,
  provider: Provider,
  a: { template: RemoteTemplate; channel: Channel; audience: Audience; failedRows: Set<number>; mapping: ReturnType<typeof buildMapping>['mapping']; name: string; sendAt: string | undefined; opts: SendOptions },
): Promise<{ id: string; name: string; status: string }> {
  let listId = a.opts.list;
  if (a.audience.kind === 'file') {
    const { uploadValidated } = await import('../contacts/upload.js');
    // Only the recipients that passed the send-time checks go into the list: the server sends to all of it.
    const report = a.audience.report!;
    const [uploaded, ...more] = await uploadValidated(ctx, provider, { ...report, valid: report.valid.filter((c) => !a.failedRows.has(c.rowNumber)) }, {
      name: a.name,
      timeout: 600_000,
      skipInvalid: a.opts.skipInvalid === true,
      printResult: false,
    });
    if (more.length > 0) throw new OperationError('The spreadsheet needs more than one contact list; upload it with `wa-cli contacts upload --split` and send to each list.');
    if (uploaded?.kind !== 'success' || !uploaded.list) throw new OperationError(`The contact list upload did not succeed (${uploaded?.kind}); nothing was sent.`);
    listId = uploaded.list.id;
  }
  const b = await provider.sendBulk({
    name: a.name,
    templateId: a.template.id,
    contactListId: listId!,
    channelId: a.channel.id,
    ...(a.template.language ? { language: a.template.language } : {}),
    body: [...a.mapping.sources].map(([key, s]) => ({ key, value: s.kind === 'column' ? s.column : '' })),
    ...(a.sendAt ? { sendAt: a.sendAt } : {}),
  });
  return { id: b.id, name: b.name || a.name, status: b.status };
}

async function sendQontakDirect(
  provider: Provider,
  a: { template: RemoteTemplate; channel: Channel; recipient: Recipient; mappingSources: ReturnType<typeof buildMapping>['mapping']['sources'] },
): Promise<{ id: string; name: string; status: string }> {
  const r = await provider.sendDirect({
    toName: a.recipient.name || a.recipient.phone,
    toNumber: a.recipient.phone,
    templateId: a.template.id,
    channelId: a.channel.id,
    language: a.template.language,
    body: [...a.mappingSources].map(([key, s]) => ({ key, valueText: a.recipient.values[key] ?? '', value: s.kind === 'column' ? s.column : `param_${key}` })),
  });
  return { id: r.id, name: `direct ${a.recipient.phone}`, status: 'todo' };
}
