// A Konekwa broadcast as a run: the plan written before the first send, the fan-out driven from the journal, unknown
// outcomes reconciled with the server on documented fields only, and the ledger told "done" in one place.
import { randomBytes } from 'node:crypto';
import { need, type Channel, type Provider, type RemoteTemplate } from '../../providers/port.js';
import type { Ledger, LedgerRecord } from '../runs/ledger.js';
import { Journal } from '../runs/journal.js';
import { runSessions } from '../runs/on-server.js';
import { lastActivity } from '../runs/paths.js';
import { checkPlan, readHeader, readPlan, type PlannedRecipient, type RunHeader } from '../runs/plan.js';
import { PlanStage } from '../runs/plan-stage.js';
import { createRun } from '../runs/plan-write.js';
import { replay, type RunState } from '../runs/state.js';
import { runFanout, type FanoutSummary, type Progress } from './fanout-engine.js';
import { listingPages, lookUp } from './fanout-look.js';
import { nextQuietStart, quietStatus, type QuietStatus, type QuietWindow } from './quiet-hours.js';

/** One message a second: a WhatsApp Web number that floods gets banned; raise it with --rate when you know better. */
export const DEFAULT_RATE = 1;
export const DEFAULT_CONCURRENCY = 2;

export interface RunDeps {
  provider: Provider;
  stateDir: string;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  signal: AbortSignal;
  /** How long after it was sent a message missing from the listing counts as never accepted (`--settle`). */
  settleMs: number;
  /** End once only recipients in doubt are left (`--no-wait`). */
  noWait?: boolean;
  /** Told when the run starts waiting for the listing's evidence about recipients in doubt. */
  onWait?: (w: { doubtful: number; untilMs: number }) => void;
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
  const header = headerFor(d, spec, newRunId(d.now()), new Date(d.now()).toISOString());
  const journal = await createRun(d.stateDir, header, spec.recipients instanceof PlanStage ? spec.recipients : planned(spec.recipients(), header.channelIds));
  await ledger.record({ ...spec.ledgerBase, at: header.createdAt, status: 'started', runId: header.runId });
  onCreated(header);
  return drive(d, ledger, journal, { rate: spec.rate, concurrency: spec.concurrency });
}

/**
 * A run whose folder was lost while the ledger still names it, made again under its own id from the same send (the
 * same key: the same template, target and mapping). Nothing of its journal is known, so every recipient is in doubt
 * until the server's listing shows whether it was sent, and nobody is sent before the settle window has passed.
 */
export async function rebuildRun(d: RunDeps, ledger: Ledger, spec: NewRun, lost: { runId: string; createdAt: string }): Promise<RunResult> {
  const header = headerFor(d, spec, lost.runId, lost.createdAt);
  const journal = await createRun(d.stateDir, header, spec.recipients instanceof PlanStage ? spec.recipients : planned(spec.recipients(), header.channelIds));
  // A new journal, with nothing of the lost one behind it: not to be trusted.
  journal.state.damage.push(`${journal.dir}: rebuilt; its journal was lost`);
  return drive(d, ledger, journal, { rate: spec.rate, concurrency: spec.concurrency, lastActivityAt: d.now(), checkUnsettledFirst: true });
}

function headerFor(d: RunDeps, spec: NewRun, runId: string, createdAt: string): RunHeader {
  return {
    v: 1,
    runId,
    createdAt,
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
}

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
    lastActivityAt: await lastActivity(dir),
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

async function drive(d: RunDeps, ledger: Ledger, journal: Journal, pace: { rate: number; concurrency: number; lastActivityAt?: number; checkUnsettledFirst?: boolean }): Promise<RunResult> {
  const h = journal.header;
  const messages = need(d.provider, 'messages', 'per-message fan-out', 'Qontak sends lists in bulk: use --list or --file.');
  const state = journal.state;
  journal.pace(pace.rate, pace.concurrency);
  // Each recipient goes through its pinned session, or where that session's share was moved.
  const laneOf = (r: PlannedRecipient): string => state.sessionOf(r.session ?? h.channelId);
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
      send: (r, signal) => messages.send({ sessionId: laneOf(r), recipient: r.phone, content: r.text }, signal),
      // A recipient in doubt may have been sent by the session it was moved from: every session of the run is read.
      look: (doubts) => lookUp(messages, runSessions(h, state), doubts, { settleMs: d.settleMs, maxPages: listingPages(h.total) }),
      ...(stopAt !== undefined ? { stopAt } : {}),
      rate: pace.rate,
      concurrency: pace.concurrency,
      now: d.now,
      sleep: d.sleep,
      signal: d.signal,
      settleMs: d.settleMs,
      ...(d.noWait ? { noWait: true } : {}),
      ...(d.onWait ? { onWait: d.onWait } : {}),
      createdAt: Date.parse(h.createdAt),
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

/** Numbers the plan; over several sessions each recipient is pinned to one in turn, so each gets an even share. */
function* planned(recipients: Iterable<Omit<PlannedRecipient, 'i'>>, sessions: string[] | undefined): Generator<PlannedRecipient> {
  let i = 0;
  for (const r of recipients) {
    const session = sessions && sessions.length > 1 ? sessions[i % sessions.length] : undefined;
    yield { i: i++, row: r.row, phone: r.phone, name: r.name, values: r.values, text: r.text, ...(session ? { session } : {}) };
  }
}
