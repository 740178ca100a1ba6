// A look before a fresh run: Konekwa keeps no idempotency key, so who already got the identical text is left out.
import { OperationError } from '../../errors.js';
import { need } from '../../providers/port.js';
import type { PlannedRecipient } from '../runs/plan.js';
import { PlanStage } from '../runs/plan-stage.js';
import type { NewRun, RunDeps } from './fanout-run.js';

/** How far back a fresh run looks for the same text already sent to the same number (`--dedupe-window`). */
export const DEFAULT_DEDUPE_WINDOW_MS = 6 * 3_600_000;

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
