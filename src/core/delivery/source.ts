// Where a broadcast's delivery log comes from: Qontak's log endpoint, or, for a Konekwa fan-out, the local journal
// with live statuses from GET /v1/messages.
import { NotFoundError, OperationError } from '../../errors.js';
import { need, type DeliveryStatus, type LogEntry, type Provider } from '../../providers/port.js';
import type { PlannedRecipient } from '../runs/plan.js';
import { countsText, type RunStory } from '../runs/story.js';

export interface LogSource {
  fetchPage(cursor: string | null): Promise<{ entries: LogEntry[]; next: string | null }>;
  isDone(): Promise<boolean>;
  /**
   * A fan-out run: whether `--until-done` may end (its journal settled, whatever the server still shows queued). It
   * fails, ending the follow, when the run is unfinished and nothing has written its journal for a while.
   */
  followDone?: () => Promise<boolean>;
  /** A fan-out run: its one story, and how far its accepted messages got on the server (from the last pass read). */
  run?: () => Promise<RunReport>;
}

/** How far the accepted messages of a run got, as the server lists them. */
export interface ServerProgress {
  queued: number;
  sent: number;
  /** Statuses no document shows, as they came: counted as unknown. */
  unknown: number;
  /** Every status as the server wrote it, with how many (server words are values, never keys). */
  statuses: { status: string; count: number }[];
  /** Accepted, and not (or not yet) in the listing. */
  notListed: number;
}

export interface RunReport {
  story: RunStory;
  template: string;
  server: ServerProgress;
  failureReasons: { reason: string; count: number }[];
  resume: string | null;
}

/** The one delivery-log source of `logs tail`, `logs export`, `broadcast status` and `broadcast report`. */
export async function logSource(stateDir: string, provider: Provider, id: string): Promise<LogSource> {
  const broadcasts = provider.broadcasts;
  if (broadcasts) {
    return {
      async fetchPage(cursor) {
        return broadcasts.logPage(id, cursor);
      },
      async isDone() {
        const b = await broadcasts.get(id);
        return b.status === 'done' || b.status === 'failed';
      },
    };
  }
  return konekwaJournalSource(stateDir, provider, id);
}

const PAGE = 500;
/** A run left unfinished with nothing written to its journal for this long has nobody sending it. */
export const IDLE_MS = 10 * 60_000;

interface Listed {
  status: string;
  delivery: DeliveryStatus | undefined;
  createdAt: string | undefined;
}

async function konekwaJournalSource(stateDir: string, provider: Provider, runId: string): Promise<LogSource> {
  const { readHeader, readPlan } = await import('../runs/plan.js');
  const { replay } = await import('../runs/state.js');
  const { CLOCK_SLACK_MS, runSessions } = await import('../runs/on-server.js');
  const { recipientWord, runStory } = await import('../runs/story.js');
  let found;
  try {
    found = await readHeader(stateDir, runId);
  } catch {
    throw new NotFoundError(`No fan-out run "${runId}" on this machine (${stateDir}).`, { hint: '`wa-cli broadcast list` shows the runs.' });
  }
  const { dir, header } = found;
  const messages = need(provider, 'messages', 'message listing');
  // Refreshed at the start of each pass; the pages of that pass read from it, and walk the plan once.
  let listed = new Map<string, Listed>();
  let journalState = await replay(dir, header.total);
  let plan: AsyncIterator<PlannedRecipient> | undefined;
  const resume = `wa-cli broadcast send --resume ${runId}`;
  const settled = (s: typeof journalState) => s.count('sent') + s.count('failed') === header.total;
  return {
    // One pass: the journal says who was sent (and the message id); the server says how far each message got.
    async fetchPage(cursor) {
      const start = cursor ? Number(cursor) : 0;
      if (start === 0 || !plan) {
        journalState = await replay(dir, header.total);
        listed = new Map();
        const since = new Date(Date.parse(header.createdAt) - CLOCK_SLACK_MS).toISOString();
        // A run over several sessions (or moved to another) has messages in each.
        for (const sessionId of runSessions(header, journalState)) {
          for await (const m of messages.list({ sessionId, since })) listed.set(m.id, { status: m.status, delivery: m.delivery, createdAt: m.createdAt });
        }
        plan = readPlan(dir)[Symbol.asyncIterator]();
        for (let skip = 0; skip < start; skip++) if ((await plan.next()).done) break;
      }
      const entries: LogEntry[] = [];
      while (entries.length < PAGE) {
        const next = await plan.next();
        if (next.done) break;
        const r = next.value;
        const s = journalState.get(r.i);
        const e: LogEntry = { id: String(r.i), phone: r.phone, name: r.name, status: 'pending', state: recipientWord(s) };
        const messageId = journalState.messageIds.get(r.i);
        if (s === 'sent' && messageId) {
          e.waMessageId = messageId;
          const m = listed.get(messageId);
          if (m) {
            // QUEUED is still moving; SENT is as far as the documents go; anything else is shown as it came.
            e.status = m.delivery ?? 'sent';
            e.rawStatus = m.status;
            if (m.createdAt) e.createdAt = m.createdAt;
          }
        } else {
          if (s === 'failed') e.status = 'failed';
          // Why it failed, or why it is in doubt.
          const err = journalState.errors.get(r.i);
          if (err) e.error = err;
        }
        entries.push(e);
      }
      const next = start + PAGE < header.total ? String(start + PAGE) : null;
      return { entries, next };
    },
    async isDone() {
      return settled(await replay(dir, header.total));
    },
    async followDone() {
      const state = await replay(dir, header.total);
      if (settled(state)) return true;
      const { lastActivity } = await import('../runs/paths.js');
      const idle = Date.now() - ((await lastActivity(dir)) ?? 0);
      if (idle >= IDLE_MS) {
        throw new OperationError(`Run ${runId} is unfinished (${countsText(runStory(header, state))}) and nothing has written its journal for ${Math.floor(idle / 60_000)} min: nobody is sending it.`, {
          hint: `Continue it with \`${resume}\` (or the same send command again).`,
        });
      }
      return false;
    },
    async run() {
      const state = await replay(dir, header.total);
      const server: ServerProgress = { queued: 0, sent: 0, unknown: 0, statuses: [], notListed: 0 };
      const statuses = new Map<string, number>();
      for (const id of state.messageIds.values()) {
        const m = listed.get(id);
        if (!m) server.notListed++;
        else {
          if (m.delivery === 'pending') server.queued++;
          else if (m.delivery === 'sent') server.sent++;
          else server.unknown++;
          statuses.set(m.status, (statuses.get(m.status) ?? 0) + 1);
        }
      }
      server.statuses = [...statuses].map(([status, count]) => ({ status, count }));
      const reasons = new Map<string, number>();
      for (const err of state.errors.values()) reasons.set(err, (reasons.get(err) ?? 0) + 1);
      const story = runStory(header, state);
      return {
        story,
        template: header.templateName,
        server,
        failureReasons: [...reasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count || a.reason.localeCompare(b.reason)),
        resume: story.status === 'done' ? null : resume,
      };
    },
  };
}

/**
 * A fan-out run read whole: one pass over its log (which reads the server's listing for the run's messages), each
 * entry shown to `onEntry`, then its story with how far the accepted messages got.
 */
export async function readRun(source: LogSource, onEntry?: (e: LogEntry) => void): Promise<RunReport> {
  if (!source.run) throw new Error('not a fan-out run');
  let cursor: string | null = null;
  do {
    const page = await source.fetchPage(cursor);
    if (onEntry) for (const e of page.entries) onEntry(e);
    cursor = page.next;
  } while (cursor !== null);
  return source.run();
}

/**
 * A fan-out run in lines: its status word and counts (the same words as every other command), when and what, how far
 * its accepted messages got on the server (no delivery rate: the documents show no status past SENT), why any failed,
 * and how to continue it. `time` renders a time for the reader.
 */
export function runReportLines(r: RunReport, time: (iso: string) => string): string[] {
  const s = r.server;
  const lines = [`run ${r.story.id} (${r.story.status}): ${countsText(r.story)}`, `  created ${time(r.story.createdAt)}, template ${r.template}`];
  const on = [`${s.sent} SENT`, `${s.queued} QUEUED`];
  for (const { status, count } of s.statuses) if (status !== 'SENT' && status !== 'QUEUED') on.push(`${count} ${status}`);
  if (s.notListed) on.push(`${s.notListed} not listed`);
  lines.push(`  on the server: ${on.join(', ')}${s.unknown ? ` (${s.unknown} with a status no document shows: counted as unknown)` : ''}`);
  if (r.failureReasons.length > 0) {
    lines.push('  failure reasons:');
    for (const f of r.failureReasons) lines.push(`    ${String(f.count).padStart(6)}  ${f.reason}`);
  }
  if (r.resume) lines.push(`  not finished; continue it with \`${r.resume}\` (or the same send command again)`);
  return lines;
}

