// A Konekwa broadcast as a run: the plan written before the first send, the fan-out driven from the journal, unknown
// outcomes reconciled with the server on documented fields only, and the ledger told "done" in one place.
import { randomBytes } from 'node:crypto';
import { need, type Channel, type MessagesPort, type Provider, type RemoteTemplate } from '../../providers/port.js';
import type { Ledger, LedgerRecord } from '../runs/ledger.js';
import { nextQuietStart, quietStatus, type QuietStatus, type QuietWindow } from '../send/quiet-hours.js';
import { runFanout, type Doubt, type FanoutSummary, type Look, type Progress } from './engine.js';
import { OperationError } from '../../errors.js';
import { Journal } from '../runs/journal.js';
import { CLOCK_SLACK_MS, runSessions } from '../runs/on-server.js';
import { lastActivity } from '../runs/paths.js';
import { checkPlan, readHeader, readPlan, type PlannedRecipient, type RunHeader } from '../runs/plan.js';
import { PlanStage } from '../runs/plan-stage.js';
import { createRun } from '../runs/plan-write.js';
import { replay, type RunState } from '../runs/state.js';

/** One message a second: a WhatsApp Web number that floods gets banned; raise it with --rate when you know better. */
export const DEFAULT_RATE = 1;
export const DEFAULT_CONCURRENCY = 2;
/** How far back a fresh run looks for the same text already sent to the same number (`--dedupe-window`). */
export const DEFAULT_DEDUPE_WINDOW_MS = 6 * 3_600_000;

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

/** Pages one look at the listing may read: twice a run's own messages, and some room for other traffic. */
const listingPages = (total: number): number => 200 + Math.ceil(total / 10);

/** Numbers the plan; over several sessions each recipient is pinned to one in turn, so each gets an even share. */
function* planned(recipients: Iterable<Omit<PlannedRecipient, 'i'>>, sessions: string[] | undefined): Generator<PlannedRecipient> {
  let i = 0;
  for (const r of recipients) {
    const session = sessions && sessions.length > 1 ? sessions[i % sessions.length] : undefined;
    yield { i: i++, row: r.row, phone: r.phone, name: r.name, values: r.values, text: r.text, ...(session ? { session } : {}) };
  }
}

/**
 * One look at the messages the run's sessions sent, for recipients in doubt. Only documented fields are compared
 * (konekwa-api.txt, GET /v1/messages): the `recipient`, the exact `content` (the text wa-cli rendered and sent alone)
 * and `created_at`, which must not be earlier than this run's own attempt for that recipient on the server's clock
 * (known from its `Date` header to within a second): a message of an earlier run of the same text is never taken for
 * this run's. The time range read is what those attempts and their settle windows span, and at most `maxPages` pages.
 */
export async function lookUp(messages: Pick<MessagesPort, 'list' | 'serverClockAhead'>, sessions: string[], doubts: Doubt[], opts: { settleMs: number; maxPages: number }): Promise<Look> {
  const wanted = new Map<string, Doubt[]>();
  const witnesses = new Set<string>();
  let from = Infinity;
  let to = -Infinity;
  for (const x of doubts) {
    const same = wanted.get(x.r.phone);
    if (same) same.push(x);
    else wanted.set(x.r.phone, [x]);
    for (const w of x.witnesses) witnesses.add(w);
    from = Math.min(from, x.from);
    to = Math.max(to, x.to);
  }
  const found = new Map<number, string>();
  const listed = new Set<string>();
  if (doubts.length === 0) return { found, listed };
  // A lower bound of the server's lead over our clock (whole seconds, from its last answer); until an answer has
  // told, the generous slack.
  const ahead = (): number | undefined => messages.serverClockAhead();
  const lead = ahead();
  const since = new Date(from + (lead ?? -CLOCK_SLACK_MS) - 2000).toISOString();
  const until = new Date(to + opts.settleMs + (lead ?? CLOCK_SLACK_MS) + 3000).toISOString();
  for (const sessionId of sessions) {
    for await (const m of messages.list({ sessionId, since, until, maxPages: opts.maxPages })) {
      if (m.id === '') continue;
      if (witnesses.has(m.id)) listed.add(m.id);
      const xs = wanted.get(m.recipient);
      if (!xs) continue;
      const created = m.createdAt ? Date.parse(m.createdAt) : Number.NaN;
      if (Number.isNaN(created)) continue;
      for (const x of xs) {
        if (found.has(x.r.i) || m.content !== x.r.text) continue;
        // Its attempt on the server's clock, in the whole seconds `created_at` has.
        const earliest = Math.floor((x.from + (ahead() ?? -CLOCK_SLACK_MS)) / 1000) * 1000;
        if (created >= earliest) found.set(x.r.i, m.id);
      }
    }
  }
  return { found, listed };
}

/** A recipient of a fresh run who already got the identical text within the dedupe window. */
export interface EarlierSend {
  row: number;
  phone: string;
  name: string;
  /** When the earlier message was created (the server's `created_at`), and its id. */
  at: string;
  messageId: string;
}

/** Pages a fresh run's look may read per session, and how long it may take. */
const LOOK_PAGES = 5000;
const LOOK_MS = 5 * 60_000;

/**
 * Konekwa keeps no idempotency key, so a run with no local record (a lost state folder, a restarted pod, a second host,
 * a new key) first lists what its sessions sent within the window and leaves out every recipient who already got the
 * identical text there, whatever key sent it. It cannot see a message still in the queue (not listed yet). Returns
 * the run with those recipients taken out of its plan, and who they were.
 */
export async function leaveOutEarlierSends(d: Pick<RunDeps, 'provider' | 'now'>, spec: NewRun, windowMs: number, onPage?: (pages: number, messages: number) => void): Promise<{ spec: NewRun; leftOut: EarlierSend[] }> {
  const messages = need(d.provider, 'messages', 'per-message fan-out');
  const since = new Date(d.now() - windowMs).toISOString();
  const began = d.now();
  // Everything listed in the window, by number: the text (compared whole), when, and the id.
  const sent = new Map<string, { content: string; at: string; id: string }[]>();
  let pagesBefore = 0;
  let readBefore = 0;
  for (const c of spec.channels) {
    let pages = 0;
    let read = 0;
    const listing = messages.list({
      sessionId: c.id,
      since,
      maxPages: LOOK_PAGES,
      onPage: (p, n) => {
        pages = p;
        read = n;
        onPage?.(pagesBefore + p, readBefore + n);
        if (d.now() - began > LOOK_MS) {
          throw new OperationError(`Looking for messages already sent within the last ${span(windowMs)} took longer than ${LOOK_MS / 60_000} min (${pagesBefore + p} pages); nothing was sent.`, {
            hint: 'Narrow it with --dedupe-window (e.g. 1h), or pass --dedupe-window 0 to send without looking.',
          });
        }
      },
    });
    try {
      for await (const m of listing) {
        if (!m.content || !m.createdAt || m.id === '') continue;
        const list = sent.get(m.recipient);
        const e = { content: m.content, at: m.createdAt, id: m.id };
        if (list) list.push(e);
        else sent.set(m.recipient, [e]);
      }
    } catch (err) {
      // A listing cut short cannot say who already got the text: nothing is sent on a partial look.
      if (err instanceof OperationError && err.hint === undefined) {
        throw new OperationError(`${err.message} Looking for messages already sent within the last ${span(windowMs)} needs every one of them; nothing was sent.`, {
          hint: 'Narrow it with --dedupe-window (e.g. 1h), or pass --dedupe-window 0 to send without looking.',
        });
      }
      throw err;
    }
    pagesBefore += pages;
    readBefore += read;
  }
  const leftOut: EarlierSend[] = [];
  const skip = new Set<number>();
  if (sent.size > 0) {
    const all = spec.recipients instanceof PlanStage ? spec.recipients.recipients() : numbered(spec.recipients());
    for await (const r of all) {
      const same = sent.get(r.phone)?.filter((m) => m.content === r.text);
      if (!same?.length) continue;
      const last = same.reduce((a, b) => (Date.parse(b.at) > Date.parse(a.at) ? b : a));
      leftOut.push({ row: r.row, phone: r.phone, name: r.name, at: last.at, messageId: last.id });
      skip.add(r.i);
    }
  }
  if (skip.size === 0) return { spec, leftOut };
  const source = spec.recipients;
  const recipients =
    source instanceof PlanStage
      ? await source.without(skip)
      : function* () {
          let i = 0;
          for (const r of source()) if (!skip.has(i++)) yield r;
        };
  return { spec: { ...spec, recipients, count: spec.count - skip.size }, leftOut };
}

/** "6 h", "90 min". */
const span = (ms: number): string => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`);

function* numbered(recipients: Iterable<Omit<PlannedRecipient, 'i'>>): Generator<PlannedRecipient> {
  let i = 0;
  for (const r of recipients) yield { ...r, i: i++ };
}

