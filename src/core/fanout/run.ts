// A Konekwa broadcast as a run: the plan written before the first send, the fan-out driven from the journal, unknown
// outcomes reconciled with the server on documented fields only, and the ledger told "done" in one place.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { need, type Channel, type Provider, type RemoteTemplate, type SentMessage } from '../../providers/port.js';
import type { Ledger, LedgerRecord } from '../send/ledger.js';
import { nextQuietStart, quietStatus, type QuietStatus, type QuietWindow } from '../send/quiet-hours.js';
import { runFanout, type FanoutSummary, type Progress, type Reconciled } from './engine.js';
import { NotFoundError, UsageError } from '../../errors.js';
import { checkPlan, createRun, Journal, PlanStage, readHeader, readHeaderAt, readPlan, replay, runSessions, type PlannedRecipient, type RunHeader, type RunState } from './journal.js';

/** One message a second: a WhatsApp Web number that floods gets banned; raise it with --rate when you know better. */
export const DEFAULT_RATE = 1;
export const DEFAULT_CONCURRENCY = 2;
/**
 * How far a listed message's `created_at` may sit before the run's start and still count: the server's clock and
 * ours differ, and the documented times have whole seconds.
 */
export const CLOCK_SLACK_MS = 5 * 60_000;

export interface RunDeps {
  provider: Provider;
  stateDir: string;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  signal: AbortSignal;
  settleMs: number;
  drainMs?: number;
  onProgress?: (p: Progress) => void;
  /** Quiet hours that apply to this run (a marketing template, not overridden): issuing stops when they begin. */
  quiet?: QuietWindow;
  /** The numbers opted out now: a run continued after someone opted out does not send to them. */
  suppressed?: () => Promise<ReadonlySet<string>>;
}

export interface RunResult {
  header: RunHeader;
  dir: string;
  state: RunState;
  summary: FanoutSummary;
  /** Set when the run stopped because quiet hours began: when they end. */
  quietHours?: QuietStatus;
}

export interface NewRun {
  template: RemoteTemplate;
  /** One session, or several: recipients are spread over them in turn and each is pinned to its session. */
  channels: Channel[];
  /** "I/N" when the send is one shard of a list. */
  shard?: string;
  /** Recipients with their values and the text they will read: staged while the sheet was checked, or streamed. */
  recipients: PlanStage | (() => Iterable<Omit<PlannedRecipient, 'i'>>);
  count: number;
  key: string;
  name: string;
  rate: number;
  concurrency: number;
  ledgerBase: Omit<LedgerRecord, 'status' | 'at'>;
}

function newRunId(now: number): string {
  return `${new Date(now).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${randomBytes(3).toString('hex')}`;
}

/** Writes the plan and the ledger's "started", then sends. `onCreated` hears the run id before the first send. */
export async function startRun(d: RunDeps, ledger: Ledger, spec: NewRun, onCreated: (h: RunHeader) => void): Promise<RunResult> {
  const header: RunHeader = {
    v: 1,
    runId: newRunId(d.now()),
    createdAt: new Date(d.now()).toISOString(),
    provider: d.provider.name,
    name: spec.name,
    templateId: spec.template.id,
    templateName: spec.template.name,
    channelId: spec.channels[0]!.id,
    ...(spec.channels.length > 1 ? { channelIds: spec.channels.map((c) => c.id) } : {}),
    category: spec.template.category,
    ...(spec.shard ? { shard: spec.shard } : {}),
    idempotencyKey: spec.key,
    total: spec.count,
    rate: spec.rate,
    concurrency: spec.concurrency,
  };
  const journal = await createRun(d.stateDir, header, spec.recipients instanceof PlanStage ? spec.recipients : planned(spec.recipients(), header.channelIds));
  await ledger.record({ ...spec.ledgerBase, at: header.createdAt, status: 'started', runId: header.runId });
  onCreated(header);
  return drive(d, ledger, journal, { rate: spec.rate, concurrency: spec.concurrency });
}

/** The state of a run as its journal tells it, without sending. */
export async function inspectRun(stateDir: string, runId: string): Promise<{ dir: string; header: RunHeader; state: RunState }> {
  const { dir, header } = await readHeader(stateDir, runId);
  return { dir, header, state: await replay(dir, header.total) };
}

export const isFinished = (h: RunHeader, s: RunState): boolean => s.trusted && s.count('sent') + s.count('failed') === h.total;

/**
 * Continues an unfinished run: its own pace unless a new one is given; every recipient not known to be settled is
 * looked up on the server before anything is sent (a journal can lose lines no check sees).
 */
export async function continueRun(d: RunDeps, ledger: Ledger, runId: string, pace: { rate?: number; concurrency?: number }, moves: SessionMove[] = []): Promise<RunResult> {
  const { dir, header } = await readHeader(d.stateDir, runId);
  await checkPlan(dir, header.total);
  const state = await replay(dir, header.total, { ids: false });
  const journal = await Journal.open(dir, header, state);
  if (!state.opened) await journal.opening();
  for (const m of moves) await journal.move(m.from, m.to);
  return drive(d, ledger, journal, {
    rate: pace.rate ?? header.rate ?? DEFAULT_RATE,
    concurrency: pace.concurrency ?? header.concurrency ?? DEFAULT_CONCURRENCY,
    lastActivityAt: await lastWrite(dir),
    checkUnsettledFirst: true,
  });
}

export interface SessionMove {
  from: string;
  to: string;
}

/** The sessions a run sends through now (after moves), each with how many of its recipients are not settled. */
export async function unfinishedShares(dir: string, header: RunHeader, state: RunState): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const s of header.channelIds ?? [header.channelId]) out.set(state.sessionOf(s), 0);
  for await (const r of readPlan(dir)) {
    const s = state.get(r.i);
    if (s === 'sent' || s === 'failed') continue;
    const at = state.sessionOf(r.session ?? header.channelId);
    out.set(at, (out.get(at) ?? 0) + 1);
  }
  return out;
}

async function lastWrite(dir: string): Promise<number | undefined> {
  try {
    return (await stat(path.join(dir, 'journal.jsonl'))).mtimeMs;
  } catch {
    return undefined;
  }
}

async function drive(d: RunDeps, ledger: Ledger, journal: Journal, pace: { rate: number; concurrency: number; lastActivityAt?: number; checkUnsettledFirst?: boolean }): Promise<RunResult> {
  const h = journal.header;
  const messages = need(d.provider, 'messages', 'per-message fan-out', 'Qontak sends lists in bulk: use --list or --file.');
  const state = journal.state;
  journal.pace(pace.rate, pace.concurrency);
  // Each recipient goes through its pinned session, or where that session's share was moved.
  const laneOf = (r: PlannedRecipient): string => state.sessionOf(r.session ?? h.channelId);
  const since = new Date(Date.parse(h.createdAt) - CLOCK_SLACK_MS).toISOString();
  const stopAt = d.quiet ? nextQuietStart(d.quiet, d.now()) : undefined;
  const suppressed = d.suppressed ? await d.suppressed() : undefined;
  let summary: FanoutSummary;
  try {
    summary = await runFanout({
      journal,
      plan: () => readPlan(journal.dir),
      laneOf,
      // A session with no recipient (more sessions than recipients) is no lane.
      lanes: [...new Set((h.channelIds ?? [h.channelId]).slice(0, Math.max(1, h.total)).map((c) => state.sessionOf(c)))],
      ...(suppressed?.size ? { skip: (r: PlannedRecipient) => (suppressed.has(r.phone) ? 'opted out since the run began; not sent' : undefined) } : {}),
      send: (r, signal) => messages.send({ sessionId: laneOf(r), recipient: r.phone, templateId: h.templateId, placeholderValues: r.values, content: r.text }, signal),
      // A recipient in doubt may have been sent by the session it was moved from: every session of the run is asked.
      reconcile: (rs) => reconcileByContent(everySession(runSessions(h, state), (sessionId) => messages.list({ sessionId, since })), h, rs),
      ...(stopAt !== undefined ? { stopAt } : {}),
      rate: pace.rate,
      concurrency: pace.concurrency,
      now: d.now,
      sleep: d.sleep,
      signal: d.signal,
      settleMs: d.settleMs,
      ...(d.drainMs !== undefined ? { drainMs: d.drainMs } : {}),
      ...(pace.lastActivityAt !== undefined ? { lastActivityAt: pace.lastActivityAt } : {}),
      ...(pace.checkUnsettledFirst ? { checkUnsettledFirst: true } : {}),
      ...(d.onProgress ? { onProgress: d.onProgress } : {}),
    });
  } finally {
    await journal.close();
  }
  // The key is done only when every recipient has settled; until then a re-run of the same command continues.
  if (summary.sent + summary.failed === summary.total && !summary.interrupted) {
    await ledger.record({ key: h.idempotencyKey, at: new Date(d.now()).toISOString(), status: 'done', provider: h.provider, template: h.templateName, target: `run:${h.runId}`, recipients: h.total, runId: h.runId });
  }
  const quietHours = summary.stopAtReached && d.quiet ? quietStatus(d.quiet, Math.max(d.now(), stopAt ?? 0)) : undefined;
  return { header: h, dir: journal.dir, state: journal.state, summary, ...(quietHours ? { quietHours } : {}) };
}

/** The messages of several sessions, one listing after the other. */
async function* everySession<T>(sessions: string[], list: (sessionId: string) => AsyncIterable<T>): AsyncGenerator<T> {
  for (const s of sessions) yield* list(s);
}

/** Numbers the plan; over several sessions each recipient is pinned to one in turn, so each gets an even share. */
function* planned(recipients: Iterable<Omit<PlannedRecipient, 'i'>>, sessions: string[] | undefined): Generator<PlannedRecipient> {
  let i = 0;
  for (const r of recipients) {
    const session = sessions && sessions.length > 1 ? sessions[i % sessions.length] : undefined;
    yield { i: i++, row: r.row, phone: r.phone, name: r.name, values: r.values, text: r.text, ...(session ? { session } : {}) };
  }
}

/**
 * Finds, among the messages the session sent since the run began, the ones these recipients got. Only documented
 * fields are compared (konekwa-api.txt, GET /v1/messages): `recipient`, the exact `content` (the text wa-cli rendered
 * and sent) and `created_at` at or after the run's start, less the clock slack. A match is sent; no match, once the
 * server has had time to record what it accepted, is not sent.
 */
export async function reconcileByContent(messages: AsyncIterable<SentMessage>, h: RunHeader, rs: PlannedRecipient[]): Promise<Map<number, Reconciled>> {
  const wanted = new Map<string, PlannedRecipient>();
  for (const r of rs) wanted.set(r.phone, r);
  const since = Date.parse(h.createdAt) - CLOCK_SLACK_MS;
  const out = new Map<number, Reconciled>();
  for await (const m of messages) {
    const r = wanted.get(m.recipient);
    if (!r || out.has(r.i) || m.content !== r.text) continue;
    const at = m.createdAt ? Date.parse(m.createdAt) : Number.NaN;
    if (Number.isNaN(at) || at < since) continue;
    out.set(r.i, { found: true, messageId: m.id });
  }
  for (const r of rs) if (!out.has(r.i)) out.set(r.i, { found: false });
  return out;
}

/** Every recipient of a run with what became of it (for tables and --json). */
export async function* runOutcomes(dir: string, state: RunState): AsyncGenerator<{ row: number; phone: string; name: string; state: string; messageId: string | null; error: string | null }> {
  for await (const p of readPlan(dir)) {
    const s = state.get(p.i);
    yield {
      row: p.row,
      phone: p.phone,
      name: p.name,
      state: s === 'sending' ? 'unknown' : s === 'pending' ? 'not-sent' : s,
      messageId: state.messageIds.get(p.i) ?? null,
      error: state.errors.get(p.i) ?? null,
    };
  }
}

export interface RunListing {
  id: string;
  name: string;
  createdAt: string;
  /** done: every recipient settled; unfinished: a re-run of the same command (or --resume) continues it. */
  status: 'done' | 'unfinished' | 'damaged';
  template: string;
  idempotencyKey: string;
  total: number;
  sent: number;
  failed: number;
  resume: string | null;
}

export interface RunCounts {
  total: number;
  sent: number;
  failed: number;
  unknown: number;
  notSent: number;
}

export interface JournalTotals {
  runs: { path: string; runId: string; name: string; shard: string | null; template: string; idempotencyKey: string; status: 'done' | 'unfinished'; damaged: boolean; counts: RunCounts }[];
  total: RunCounts;
}

const countsOf = (s: RunState, total: number): RunCounts => ({
  total,
  sent: s.count('sent'),
  failed: s.count('failed'),
  unknown: s.count('unknown') + s.count('sending'),
  notSent: s.count('not-sent') + s.count('pending'),
});

/**
 * Run folders given as paths (copied from several machines, e.g. one per shard), each read from its own journal, and
 * their counts summed. `path` names the folder as given, in errors; the same run twice would count twice and is refused.
 */
export async function journalTotals(dirs: { path: string; dir: string }[]): Promise<JournalTotals> {
  const runs: JournalTotals['runs'] = [];
  for (const { path: where, dir } of dirs) {
    let header: RunHeader;
    try {
      header = await readHeaderAt(dir);
    } catch {
      throw new NotFoundError(`--journal ${where}: no fan-out run there (a run folder holds plan.jsonl and journal.jsonl).`);
    }
    const twin = runs.find((r) => r.runId === header.runId);
    if (twin) throw new UsageError(`--journal ${where}: run ${header.runId} is also given as ${twin.path}; each run counts once.`);
    const state = await replay(dir, header.total);
    runs.push({
      path: where,
      runId: header.runId,
      name: header.name,
      shard: header.shard ?? null,
      template: header.templateName,
      idempotencyKey: header.idempotencyKey,
      status: isFinished(header, state) ? 'done' : 'unfinished',
      damaged: !state.trusted,
      counts: countsOf(state, header.total),
    });
  }
  const total: RunCounts = { total: 0, sent: 0, failed: 0, unknown: 0, notSent: 0 };
  for (const r of runs) for (const k of Object.keys(total) as (keyof RunCounts)[]) total[k] += r.counts[k];
  return { runs, total };
}

/** Every run on this machine with where it stands, newest first. */
export async function listRunStates(stateDir: string): Promise<RunListing[]> {
  const { listRuns } = await import('./journal.js');
  const out: RunListing[] = [];
  for (const h of await listRuns(stateDir)) {
    let state: RunState | undefined;
    try {
      state = (await inspectRun(stateDir, h.runId)).state;
    } catch {
      state = undefined;
    }
    const status = !state ? 'damaged' : isFinished(h, state) ? 'done' : 'unfinished';
    out.push({
      id: h.runId,
      name: h.name,
      createdAt: h.createdAt,
      status,
      template: h.templateName,
      idempotencyKey: h.idempotencyKey,
      total: h.total,
      sent: state?.count('sent') ?? 0,
      failed: state?.count('failed') ?? 0,
      resume: status === 'done' ? null : `wa-cli broadcast send --resume ${h.runId}`,
    });
  }
  return out;
}
