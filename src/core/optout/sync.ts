// Opt-outs from replies: received messages whose whole text is a stop word add their sender to the list. Reads
// Konekwa's documented `GET /v1/messages?direction=received` from where the last sync got to. No document shows who
// wrote a received message: the sender is read from a `sender` field where an answer carries one, never from
// `recipient` (on a received message that may be the session's own number), and a session's own number is never
// opted out.
import type { MessagesPort } from '../../providers/port.js';
import { internationalNumber } from '../contacts/index.js';
import { addTo, type OptOut, type OptOutList } from './list.js';

export const DEFAULT_STOP_WORDS = ['STOP', 'BERHENTI', 'UNSUBSCRIBE'];

/** Listing times are whole seconds and whether start_date is inclusive is undocumented: read a little earlier, skip ids already seen. */
const OVERLAP_MS = 2000;

const fold = (s: string) => s.normalize('NFKC').trim().toUpperCase();

/** The whole message is one of the stop words, ignoring case and surrounding spaces ("stop please" is not). */
export function isStopMessage(content: string | undefined, words: readonly string[]): boolean {
  if (!content) return false;
  const text = fold(content);
  return words.some((w) => fold(w) === text);
}

/** The sender as digits with the country code; undefined for a group or anything that is not a number. */
export function senderNumber(raw: string): string | undefined {
  if (raw.endsWith('@g.us')) return undefined;
  const digits = raw.replace(/@.*$/, '').replace(/^\+/, '');
  if (!/^\d{8,15}$/.test(digits)) return undefined;
  return internationalNumber(digits);
}

export interface SyncResult {
  read: number;
  added: OptOut[];
  /** Stop messages from numbers already on the list. */
  already: number;
  /** Stop messages whose sender could not be read: nobody was opted out for them. */
  unreadable: { id: string; at: string | undefined; content: string }[];
  /** Stop messages whose sender is one of the account's own session numbers: never opted out. */
  ownNumbers: number;
  since: string | undefined;
}

export async function syncOptOuts(d: { messages: Pick<MessagesPort, 'list'>; list: OptOutList; now: () => number; stopWords?: readonly string[]; ownNumbers: readonly string[] }): Promise<SyncResult> {
  const own = new Set(d.ownNumbers.map((n) => senderNumber(n)).filter((n): n is string => n !== undefined));
  const words = d.stopWords && d.stopWords.length > 0 ? d.stopWords : DEFAULT_STOP_WORDS;
  const before = (await d.list.load()).sync;
  const seen = new Set(before?.seen ?? []);
  const since = before ? new Date(Date.parse(before.since) - OVERLAP_MS).toISOString() : undefined;
  const stops: { phone: string; reason: string }[] = [];
  const unreadable: SyncResult['unreadable'] = [];
  let ownNumbers = 0;
  const fresh: { id: string; at: number }[] = [];
  let read = 0;
  for await (const m of d.messages.list({ direction: 'received', ...(since ? { since } : {}) })) {
    if (seen.has(m.id)) continue;
    read++;
    const at = m.createdAt ? Date.parse(m.createdAt) : NaN;
    if (!Number.isNaN(at)) fresh.push({ id: m.id, at });
    if (!isStopMessage(m.content, words)) continue;
    if (m.sender === undefined) {
      unreadable.push({ id: m.id, at: m.createdAt, content: m.content!.trim() });
      continue;
    }
    const phone = senderNumber(m.sender);
    if (!phone) continue;
    if (own.has(phone)) {
      ownNumbers++;
      continue;
    }
    stops.push({ phone, reason: `replied "${m.content!.trim()}"${m.createdAt ? ` at ${m.createdAt}` : ''}` });
  }
  return d.list.update((data) => {
    const have = new Set(data.entries.map((e) => e.phone));
    const added = addTo(data, stops.map((s) => ({ ...s, source: 'sync' as const })), new Date(d.now()).toISOString());
    const already = stops.filter((s) => have.has(s.phone)).length;
    // The cursor only moves forward; ids within the overlap are kept so the next read skips them.
    const newest = fresh.reduce((m, f) => Math.max(m, f.at), before ? Date.parse(before.since) : -Infinity);
    if (Number.isFinite(newest)) {
      const floor = newest - OVERLAP_MS;
      const prior = data.sync && Date.parse(data.sync.since) >= floor ? data.sync.seen : [];
      data.sync = { since: new Date(newest).toISOString(), seen: [...new Set([...prior, ...fresh.filter((f) => f.at >= floor).map((f) => f.id)])] };
    }
    return { read, added, already, unreadable, ownNumbers, since: data.sync?.since };
  });
}
