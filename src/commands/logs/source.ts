// Where a broadcast's delivery log comes from: Qontak's log endpoint, or, for a Konekwa fan-out, the local journal
// with live statuses from GET /v1/messages.
import type { Context } from '../../cli/context.js';
import { NotFoundError } from '../../errors.js';
import type { Provider } from '../../providers/port.js';
import { fromKonekwaStatus, fromQontakLogEntry, type LogEntry } from '../../core/delivery/entry.js';
import type { PlannedRecipient } from '../../core/fanout/journal.js';

export interface LogSource {
  fetchPage(cursor: string | null): Promise<{ entries: LogEntry[]; next: string | null }>;
  isDone(): Promise<boolean>;
}

export async function logSource(ctx: Context, provider: Provider, id: string): Promise<LogSource> {
  if (provider.capabilities.broadcastLog) {
    return {
      async fetchPage(cursor) {
        const page = await provider.logPage(id, cursor);
        return { entries: page.entries.map(fromQontakLogEntry), next: page.next };
      },
      async isDone() {
        const b = await provider.getBroadcast(id);
        return b.status === 'done' || b.status === 'failed';
      },
    };
  }
  return konekwaJournalSource(ctx, provider, id);
}

const PAGE = 500;

async function konekwaJournalSource(ctx: Context, provider: Provider, runId: string): Promise<LogSource> {
  const { readHeader, readPlan, replay } = await import('../../core/fanout/journal.js');
  let found;
  try {
    found = await readHeader(ctx.paths.stateDir, runId);
  } catch {
    throw new NotFoundError(`No fan-out run "${runId}" on this machine (${ctx.paths.stateDir}).`, { hint: '`wa-cli broadcast list` shows the runs.' });
  }
  const { dir, header } = found;
  // Refreshed at the start of each pass; the pages of that pass read from it, and walk the plan once.
  let statusCache = new Map<string, string>();
  let journalState = await replay(dir, header.total);
  let plan: AsyncIterator<PlannedRecipient> | undefined;
  return {
    // One pass: the journal says who was sent (and the message id); the server says how far each message got.
    async fetchPage(cursor) {
      const start = cursor ? Number(cursor) : 0;
      if (start === 0 || !plan) {
        journalState = await replay(dir, header.total);
        statusCache = new Map();
        let token: string | undefined;
        do {
          const page = await provider.listMessages({ sessionId: header.channelId, since: new Date(Date.parse(header.createdAt) - 60_000).toISOString(), ...(token ? { pageToken: token } : {}) });
          for (const m of page.messages) statusCache.set(m.id, m.status);
          token = page.next ?? undefined;
        } while (token);
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
          e.status = fromKonekwaStatus(statusCache.get(messageId));
          e.waMessageId = messageId;
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

