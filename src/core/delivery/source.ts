// Where a broadcast's delivery log comes from: Qontak's log endpoint, or, for a Konekwa fan-out, the local journal
// with live statuses from GET /v1/messages.
import { NotFoundError } from '../../errors.js';
import { need, type DeliveryStatus, type LogEntry, type Provider } from '../../providers/port.js';
import type { PlannedRecipient } from '../fanout/journal.js';

export interface LogSource {
  fetchPage(cursor: string | null): Promise<{ entries: LogEntry[]; next: string | null }>;
  isDone(): Promise<boolean>;
}

/**
 * The one delivery-log source of `logs tail`, `logs export`, `broadcast status` and `broadcast report`. `times`: a
 * Konekwa run's entries also carry each message's `created_at` (kept per message only when asked: a long follow
 * needs none).
 */
export async function logSource(stateDir: string, provider: Provider, id: string, opts: { times?: boolean } = {}): Promise<LogSource> {
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
  return konekwaJournalSource(stateDir, provider, id, opts.times === true);
}

const PAGE = 500;

async function konekwaJournalSource(stateDir: string, provider: Provider, runId: string, times: boolean): Promise<LogSource> {
  const { readHeader, readPlan, replay } = await import('../fanout/journal.js');
  let found;
  try {
    found = await readHeader(stateDir, runId);
  } catch {
    throw new NotFoundError(`No fan-out run "${runId}" on this machine (${stateDir}).`, { hint: '`wa-cli broadcast list` shows the runs.' });
  }
  const { dir, header } = found;
  const messages = need(provider, 'messages', 'message listing');
  // Refreshed at the start of each pass; the pages of that pass read from it, and walk the plan once.
  let statusCache = new Map<string, DeliveryStatus>();
  let createdCache = new Map<string, string>();
  let journalState = await replay(dir, header.total);
  let plan: AsyncIterator<PlannedRecipient> | undefined;
  return {
    // One pass: the journal says who was sent (and the message id); the server says how far each message got.
    async fetchPage(cursor) {
      const start = cursor ? Number(cursor) : 0;
      if (start === 0 || !plan) {
        journalState = await replay(dir, header.total);
        statusCache = new Map();
        createdCache = new Map();
        const { CLOCK_SLACK_MS } = await import('../fanout/run.js');
        const { runSessions } = await import('../fanout/journal.js');
        const since = new Date(Date.parse(header.createdAt) - CLOCK_SLACK_MS).toISOString();
        // A run over several sessions (or moved to another) has messages in each.
        for (const sessionId of runSessions(header, journalState)) for await (const m of messages.list({ sessionId, since })) {
          statusCache.set(m.id, m.delivery);
          if (times && m.createdAt) createdCache.set(m.id, m.createdAt);
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
        const messageId = journalState.messageIds.get(r.i);
        const e: LogEntry = { id: String(r.i), phone: r.phone, name: r.name, status: 'pending' };
        if (s === 'sent' && messageId) {
          e.status = statusCache.get(messageId) ?? 'pending';
          e.waMessageId = messageId;
          const created = createdCache.get(messageId);
          if (created) e.createdAt = created;
        } else if (s === 'failed') {
          e.status = 'failed';
          const err = journalState.errors.get(r.i);
          if (err) e.error = err;
        }
        entries.push(e);
      }
      const next = start + PAGE < header.total ? String(start + PAGE) : null;
      return { entries, next };
    },
    async isDone() {
      const state = await replay(dir, header.total);
      return state.count('sent') + state.count('failed') === header.total;
    },
  };
}

