// Preparing a send: the template and channel resolved, the audience read, every recipient's values checked, the key
// and the summary computed. Nothing is sent here; a refusal comes back with every problem and its row.
import { createHash } from 'node:crypto';
import { ExitCode, NotFoundError, OperationError, UsageError, WaError, type ExitCodeValue } from '../../errors.js';
import type { Env } from '../../env.js';
import { need, type Channel, type Provider, type RemoteTemplate } from '../../providers/port.js';
import type { ContactReport, ContactScan, NormalisedContact, Problem } from '../contacts/index.js';
import type { PlanStage } from '../runs/plan-stage.js';
import { defaultIdempotencyKey } from '../runs/ledger.js';
import { parseParams } from './params.js';
import { buildMapping, checkBulkMapping, checkRecipients, costEstimate, DEFAULT_COST_PER_MESSAGE, RecipientCheck, type CheckedRecipients, type Contact, type Mapping, type Recipient, type SendProblem } from './mapping.js';
import { planExtras, sendNeeds, type SendExtras } from './needs.js';
import { pickChannel, pickTemplate } from './resolve.js';
import { sendRules } from './send-rules.js';
import { narrowAudience, Narrower, parseShard, type Narrowed } from './narrow.js';
import { quietStatus, quietWindow, type QuietStatus } from './quiet-hours.js';

export interface SendRequest {
  template: string;
  list?: string | undefined;
  file?: string | undefined;
  to?: string | undefined;
  toName?: string | undefined;
  channel?: string | undefined;
  param: string[];
  language?: string | undefined;
  name?: string | undefined;
  schedule?: string | undefined;
  idempotencyKey?: string | undefined;
  skipInvalid?: boolean | undefined;
  /** For numbers written without a country code: resolved by the command (flag, profile, default), never here. */
  country: string;
  /** A media header's URL or local file, and a document's file name (Qontak templates with media headers). */
  media?: string | undefined;
  mediaFilename?: string | undefined;
  /** Dynamic URL buttons: INDEX=COLUMN or INDEX=:text. */
  button?: string[] | undefined;
  /** "I/N": only the I-th of N slices of the recipients. */
  shard?: string | undefined;
}

export interface PrepareDeps {
  provider: Provider;
  now: () => number;
  defaults: { channel?: string | undefined; language?: string | undefined; costPerMessage?: number | undefined };
  /**
   * Reads and validates a spreadsheet (the country and sheet already chosen) in one pass, handing each valid contact
   * to `onValid` as it is read, and the clean file's columns before the first.
   */
  scanFile: (file: string, onValid: (c: NormalisedContact) => void, onColumns: (c: Pick<ContactReport, 'columns' | 'variableNames'>) => void) => Promise<ContactScan>;
  /**
   * Where a Konekwa fan-out's plan is written while the sheet is checked (not given for a dry run): the recipients are
   * then never held in memory, and the first message leaves as soon as the last row is checked.
   */
  stagePlan?: (sessions: string[]) => Promise<PlanStage>;
  /** Normalises one phone number; a one-line reason when it cannot. */
  normalisePhone: (text: string, country: string) => Promise<{ ok: true; phone: string } | { ok: false; message: string }>;
  /** The profile's opt-out list: these numbers are never sent to. */
  suppressed?: () => Promise<ReadonlySet<string>>;
  /** The profile's quiet hours ("21:00-08:00") and their zone. */
  quiet?: { hours?: string | undefined; timeZone?: string | undefined };
  /** Where `--shard auto` finds its shard: JOB_COMPLETION_INDEX and WA_SHARD_COUNT. */
  env?: Env;
}

export interface Audience {
  kind: 'list' | 'file' | 'to';
  /** What the idempotency key covers: the list id, the file's normalised content, the number. */
  target: string;
  /** Iterated more than once (checks, preview, plan) without holding a copy. */
  contacts: () => Iterable<Contact>;
  columns: string[];
  report?: ContactReport;
  skippedRows: number;
  /** The sheet's problems (its invalid and duplicate rows among them). */
  sheetProblems?: readonly Problem[];
}

export interface PreparedSend {
  template: RemoteTemplate;
  /** The first of `channels`. */
  channel: Channel;
  /** Several only for a Konekwa fan-out over several sessions (`--channel a,b`). */
  channels: Channel[];
  audience: Audience;
  /**
   * A fan-out from a spreadsheet: its checked recipients, already written for the run's plan (then `audience.contacts`
   * and `checked.recipients` are not there to iterate). Whoever does not start the run discards it.
   */
  staged?: PlanStage;
  mapping: Mapping;
  checked: CheckedRecipients;
  /** bulk: Qontak sends a list server-side; direct: one Qontak message; fanout: one request per recipient (Konekwa). */
  mode: 'bulk' | 'direct' | 'fanout';
  count: number;
  key: string;
  name: string;
  sendAt: string | undefined;
  /** The media header and URL buttons the template needs, checked against the flags. */
  extras: SendExtras;
  skipInvalid: boolean;
  summary: SendSummary;
}

export interface SendSummary {
  template: string;
  channel: string;
  recipients: number;
  skipped: number;
  /** For people: "Rp 920 (2 × Rp 460)". */
  cost: string;
  /** The same in rupiah, as numbers. */
  costRupiah: number;
  costPerMessageRupiah: number;
  schedule: string;
  idempotencyKey: string;
  preview: { to: string; name: string; text: string }[];
  /** Recipients left out because they opted out, with their rows. */
  optedOut: { count: number; rows: { row: number; phone: string }[] };
  /** Rows left out by --skip-invalid (and duplicate numbers): one entry per problem, with its column, value and reason. */
  skippedRows: SkippedRow[];
  shard?: { shard: string; otherShards: number };
  quietHours?: QuietStatus;
}

/**
 * Problems that stop a send before anything leaves, with the flag that would send to the others instead. Problems of
 * the recipients' data exit 1; flags that do not fit the template (a --param column that is not there) are a usage
 * error, exit 2.
 */
export class SendRefused extends WaError {
  override readonly exitCode: ExitCodeValue;
  constructor(
    readonly problems: SendProblem[],
    what: string,
    readonly flag?: string,
    kind: 'data' | 'usage' = 'data',
    hint?: string,
  ) {
    super(`Nothing was sent: ${what}.`, hint ? { hint } : flag ? { hint: `Fix them, or pass ${flag} to send to the others.` } : {});
    this.exitCode = kind === 'usage' ? ExitCode.usage : ExitCode.failed;
  }
}

/** A row a send leaves out, named as a person can find it in the sheet. */
export interface SkippedRow {
  row: number;
  /** The rule that left it out (a sheet check's code or a send rule's id). */
  ruleId: string;
  column: string | null;
  value: string | null;
  reason: string;
}

/** Every left-out row with what was wrong: the sheet's invalid and duplicate rows, then values the send checks refused. */
function skippedRowsOf(sheet: readonly Problem[] | undefined, checked: readonly SendProblem[]): SkippedRow[] {
  const out: SkippedRow[] = [];
  for (const p of sheet ?? []) {
    if (p.rowNumber === undefined || !(p.severity === 'error' || p.code === 'duplicate')) continue;
    out.push({ row: p.rowNumber, ruleId: p.code, column: p.header || p.column || null, value: p.value ?? null, reason: p.reason ?? p.message });
  }
  for (const p of checked) if (p.row !== undefined) out.push({ row: p.row, ruleId: p.ruleId, column: p.column ?? null, value: p.value ?? null, reason: p.reason ?? p.message });
  return out.sort((a, b) => a.row - b.row);
}

const PREVIEW = 3;

export async function prepareSend(d: PrepareDeps, req: SendRequest): Promise<PreparedSend> {
  const { provider } = d;
  const targets = [req.list, req.file, req.to].filter((t) => t !== undefined).length;
  if (targets !== 1) throw new UsageError('Give exactly one of --list ID, --file SHEET or --to PHONE.');
  if (req.list) need(provider, 'lists', 'contact lists', 'Send from a spreadsheet with --file instead.');
  // Only a server-side broadcast can wait on the server; a fan-out is sent now by this machine.
  if (req.schedule && (!provider.broadcasts || req.to)) {
    throw new UsageError(`--schedule works for Qontak list and spreadsheet sends only${provider.broadcasts ? '' : `; ${provider.name} cannot schedule`}.`);
  }
  const sendAt = req.schedule ? parseSchedule(req.schedule, d.now()) : undefined;

  const template = await resolveTemplate(provider, req.template, req.language ?? d.defaults.language);
  // A media header or a dynamic URL button without its value fails every message after the server accepted the send.
  const extrasPlan = planExtras(template.name, sendNeeds(template), { ...(req.media ? { media: req.media } : {}), ...(req.mediaFilename ? { mediaFilename: req.mediaFilename } : {}), buttons: req.button ?? [] });
  if (!extrasPlan.ok) throw new UsageError(extrasPlan.problem);
  const extras = extrasPlan.extras;
  const channels = await resolveChannels(provider, req.channel, d.defaults.channel);
  const channel = channels[0]!;
  const params = parseParams(req.param);
  const shard = req.shard !== undefined ? parseShard(req.shard, d.env) : undefined;
  if (shard && req.list !== undefined) throw new UsageError('--shard needs --file: a Qontak list is sent whole by the server.');
  const suppressed = d.suppressed ? await d.suppressed() : new Set<string>();
  const quiet = quietWindow(d.quiet?.hours, d.quiet?.timeZone);
  const mode = !provider.broadcasts ? 'fanout' : req.to !== undefined ? 'direct' : 'bulk';
  const fit = (columns: readonly string[]): { mapping: Mapping; problems: SendProblem[] } => {
    const { mapping, problems } = buildMapping(template, params, columns, sendRules);
    return { mapping, problems: [...problems, ...(mode === 'bulk' ? checkBulkMapping(mapping, sendRules, req.file !== undefined) : []), ...buttonColumnProblems(extras, columns)] };
  };

  let audience: Audience;
  let narrowed: Narrowed;
  let mapping: Mapping;
  let checked: CheckedRecipients;
  let preview: Recipient[];
  let staged: PlanStage | undefined;
  if (mode === 'fanout' && req.file !== undefined && d.stagePlan) {
    staged = await d.stagePlan(channels.map((c) => c.id));
    try {
      ({ audience, narrowed, mapping, checked, preview } = await streamFile(d, req, template, fit, new Narrower(suppressed, shard), staged));
    } catch (err) {
      staged.discard();
      throw err;
    }
  } else {
    audience = await loadAudience(d, req);
    narrowed = narrowAudience(audience, suppressed, shard);
    if (audience.kind === 'list' && narrowed.optedOut.length > 0) throw optedOutOfList(narrowed, audience.target);
    const fitted = fit(audience.columns);
    if (fitted.problems.length > 0) throw new SendRefused(fitted.problems, 'the parameters do not fit the template', undefined, 'usage');
    mapping = fitted.mapping;
    checked = checkRecipients(template, audience.contacts, mapping, sendRules);
    preview = [];
    for (const r of checked.recipients()) if (preview.push(r) >= PREVIEW) break;
  }
  try {
    if (checked.problems.length > 0 && (!req.skipInvalid || audience.kind === 'list')) {
      throw new SendRefused(checked.problems, `${checked.invalidRows} recipient(s) would get a broken message`, audience.kind === 'list' ? undefined : '--skip-invalid');
    }
    if (checked.count === 0) throw new OperationError(`No recipient is left to send to${leftOut(narrowed)}.`);
  } catch (err) {
    staged?.discard();
    throw err;
  }
  const count = checked.count;

  const key =
    req.idempotencyKey ??
    defaultIdempotencyKey({
      provider: provider.name,
      templateId: template.id,
      language: template.language,
      target: audience.target,
      params: {
        ...Object.fromEntries([...mapping.sources].map(([k, s]) => [k, s.kind === 'column' ? s.column : `:${s.text}`])),
        // Another media or button value is another send.
        ...(extras.media ? { 'header:media': extras.media.source.kind === 'url' ? extras.media.source.url : extras.media.source.path } : {}),
        ...Object.fromEntries(extras.buttons.map((b) => [`button:${b.index}`, b.source.kind === 'column' ? b.source.column : `:${b.source.text}`])),
      },
      // Each shard is its own send; opt-outs are not in the key, so a list that grew does not send again.
      ...(shard ? { shard: `${shard.index}/${shard.total}` } : {}),
    });
  const name = req.name ?? `${template.name}-${new Date(d.now()).toISOString().slice(0, 16).replace(/[-:T]/g, '')}`;
  const perMessage = d.defaults.costPerMessage ?? DEFAULT_COST_PER_MESSAGE;
  const summary: SendSummary = {
    template: `${template.name}${template.language ? ` (${template.language})` : ''}`,
    channel: channels.map((c) => `${c.name} ${c.id}`).join(', '),
    recipients: count,
    skipped: audience.skippedRows + checked.invalidRows,
    cost: costEstimate(count, perMessage),
    costRupiah: count * perMessage,
    costPerMessageRupiah: perMessage,
    schedule: sendAt ?? 'now',
    idempotencyKey: key,
    preview: preview.map((r) => ({ to: r.phone, name: r.name, text: sendRules.render(template.body, r.values) })),
    optedOut: { count: narrowed.optedOut.length, rows: narrowed.optedOut },
    skippedRows: skippedRowsOf(audience.sheetProblems, checked.problems),
    ...(shard ? { shard: { shard: `${shard.index}/${shard.total}`, otherShards: narrowed.otherShards } } : {}),
    // A scheduled send is judged at the time it goes out.
    ...(quiet ? { quietHours: quietStatus(quiet, sendAt ? Date.parse(sendAt) : d.now()) } : {}),
  };
  return { template, channel, channels, audience, ...(staged ? { staged } : {}), mapping, checked, mode, count, key, name, sendAt, extras, skipInvalid: req.skipInvalid === true, summary };
}

/**
 * A spreadsheet for a fan-out in one pass: each valid row narrowed, checked, rendered and written to the staged plan
 * as it is read. What is kept is what a refusal or the summary needs: the problems, the left-out rows, three previews.
 */
async function streamFile(
  d: PrepareDeps,
  req: SendRequest,
  template: RemoteTemplate,
  fit: (columns: readonly string[]) => { mapping: Mapping; problems: SendProblem[] },
  narrower: Narrower,
  stage: PlanStage,
): Promise<{ audience: Audience; narrowed: Narrowed; mapping: Mapping; checked: CheckedRecipients; preview: Recipient[] }> {
  const { CleanCsvDigest } = await import('../contacts/index.js');
  let digest: InstanceType<typeof CleanCsvDigest> | undefined;
  let fitted: { mapping: Mapping; problems: SendProblem[] } | undefined;
  let check: RecipientCheck | undefined;
  let columns: string[] = [];
  const preview: Recipient[] = [];
  const scan = await d.scanFile(
    req.file!,
    (c) => {
      digest!.add(c);
      const contact: Contact = { row: c.rowNumber, phone: c.phone_number, name: c.full_name, variables: c.variables };
      if (!check || !narrower.keeps(contact)) return;
      const r = check.check(contact);
      if (!r) return;
      if (preview.length < PREVIEW) preview.push(r);
      stage.add(r, renderFor(template, r.values));
    },
    (clean) => {
      digest = new CleanCsvDigest(clean);
      columns = clean.variableNames;
      fitted = fit(columns);
      // Parameters that do not fit are refused after the pass, in the same order as a sheet read whole.
      if (fitted.problems.length === 0) check = new RecipientCheck(template, fitted.mapping, sendRules);
    },
  );
  refuseBadSheet(scan, req);
  if (!fitted || !check || !digest) throw new SendRefused(fitted?.problems ?? [], 'the parameters do not fit the template', undefined, 'usage');
  if (fitted.problems.length > 0) throw new SendRefused(fitted.problems, 'the parameters do not fit the template', undefined, 'usage');
  const streamed = (): never => {
    throw new Error('the recipients of this send were written to its plan as they were checked');
  };
  const { failedRows } = check;
  return {
    audience: { kind: 'file', target: `file:${digest.hex().slice(0, 16)}`, contacts: streamed, columns, skippedRows: scan.invalid + scan.duplicates.length, sheetProblems: scan.problems },
    narrowed: narrower,
    mapping: fitted.mapping,
    checked: { count: check.count, problems: check.problems, invalidRows: failedRows.size, failedRows, recipients: streamed },
    preview,
  };
}

/** Header and layout errors cannot be skipped row by row: they would drop a column from every message. */
function refuseBadSheet(report: Pick<ContactScan, 'file' | 'fileErrors' | 'invalid' | 'problems'>, req: SendRequest): void {
  if (report.fileErrors > 0 || (report.invalid > 0 && !req.skipInvalid)) {
    const problems: SendProblem[] = report.problems.filter((p) => p.severity === 'error').map((p) => ({ ...(p.rowNumber ? { row: p.rowNumber } : {}), ruleId: p.code, message: p.message }));
    if (report.fileErrors > 0) throw new SendRefused(problems, `${report.file} has ${report.fileErrors} error(s) in its header or layout`);
    throw new SendRefused(problems, `${report.file} has ${report.invalid} invalid row(s)`, '--skip-invalid');
  }
}

function buttonColumnProblems(extras: SendExtras, columns: readonly string[]): SendProblem[] {
  const available = ['full_name', 'phone_number', ...columns];
  return extras.buttons
    .filter((b) => b.source.kind === 'column' && !available.includes(b.source.column))
    .map((b) => ({ ruleId: 'button-column', message: `--button ${b.index}=${b.source.kind === 'column' ? b.source.column : ''}: no such column; the columns are ${available.join(', ')}.` }));
}

function leftOut(n: Narrowed): string {
  const parts = [n.optedOut.length ? `${n.optedOut.length} opted out` : '', n.otherShards ? `${n.otherShards} in other shards` : ''].filter(Boolean);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

/** A Qontak list is sent whole by the server: it cannot leave an opted-out number out, so the send is refused. */
function optedOutOfList(n: Narrowed, target: string): SendRefused {
  const problems = n.optedOut.map((o) => ({ row: o.row, ruleId: 'opted-out', message: `row ${o.row} (${o.phone}): opted out` }));
  return new SendRefused(problems, `contact list ${target.slice('list:'.length)} holds ${n.optedOut.length} opted-out number(s), and a list is sent whole`, undefined, 'data', 'Send the spreadsheet the list came from with --file instead: wa-cli leaves opted-out numbers out of it.');
}

/** The text a recipient reads: what a fan-out sends as `content` and reconciles on. */
export const renderFor = (template: RemoteTemplate, values: Record<string, string>): string => sendRules.render(template.body, values);

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

/** `--channel a,b,…`: a fan-out spread over several sessions, each resolved and able to send. */
async function resolveChannels(provider: Provider, flag: string | undefined, profileDefault: string | undefined): Promise<Channel[]> {
  const names = flag?.includes(',') ? flag.split(',').map((x) => x.trim()) : undefined;
  if (!names) return [await resolveChannel(provider, flag, profileDefault)];
  if (provider.broadcasts) throw new UsageError(`--channel ${flag}: several channels work for a Konekwa fan-out only; ${provider.name} sends through one.`);
  if (names.some((n) => n === '')) throw new UsageError(`--channel ${flag}: an empty session name; write --channel ses_a,ses_b.`);
  const out: Channel[] = [];
  for (const n of names) {
    const c = await resolveChannel(provider, n, undefined);
    if (out.some((o) => o.id === c.id)) throw new UsageError(`--channel ${flag}: session ${c.id} is named twice.`);
    out.push(c);
  }
  return out;
}

async function resolveChannel(provider: Provider, flag: string | undefined, profileDefault: string | undefined): Promise<Channel> {
  const pick = pickChannel(await provider.listChannels(), flag, profileDefault);
  if (pick.ok) return pick.value;
  if (pick.reason === 'not-found') throw new NotFoundError(pick.message);
  if (pick.reason === 'ambiguous') throw new UsageError(pick.message);
  throw new OperationError(pick.message);
}

async function loadAudience(d: PrepareDeps, req: SendRequest): Promise<Audience> {
  if (req.to !== undefined) {
    const country = req.country.toUpperCase();
    const phone = await d.normalisePhone(req.to, country);
    if (!phone.ok) throw new UsageError(`--to ${req.to}: ${phone.message}.`);
    return {
      kind: 'to',
      target: `to:${phone.phone}`,
      contacts: () => [{ row: 1, phone: phone.phone, name: req.toName ?? '', variables: {} }],
      columns: [],
      skippedRows: 0,
    };
  }
  if (req.file !== undefined) {
    const valid: NormalisedContact[] = [];
    const { validCount: _, ...scan } = await d.scanFile(req.file, (c) => valid.push(c), () => undefined);
    const report: ContactReport = { ...scan, valid };
    refuseBadSheet(scan, req);
    const { toCsvBuffer } = await import('../contacts/index.js');
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
      sheetProblems: report.problems,
    };
  }
  const lists = need(d.provider, 'lists', 'contact lists', 'Send from a spreadsheet with --file instead.');
  const list = await lists.get(req.list!);
  if (list.progress !== 'success') throw new OperationError(`Contact list ${list.id} is ${list.progress}, not ready to send to.`);
  const contacts: Contact[] = [];
  let row = 1;
  for await (const c of lists.contacts(list.id)) contacts.push({ row: ++row, phone: c.phone, name: c.name, variables: c.variables });
  return { kind: 'list', target: `list:${list.id}`, contacts: () => contacts, columns: list.variables, skippedRows: 0 };
}
