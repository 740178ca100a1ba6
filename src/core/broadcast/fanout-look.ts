// One look at the messages a run's sessions sent, for recipients whose outcome is in doubt: what the fan-out engine
// asks before it ever sends anyone again.
import type { MessagesPort } from '../../providers/port.js';
import { CLOCK_SLACK_MS } from '../runs/on-server.js';
import type { Doubt, Look } from './fanout-doubts.js';

/** Pages one look at the listing may read: twice a run's own messages, and some room for other traffic. */
export const listingPages = (total: number): number => 200 + Math.ceil(total / 10);
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
