// A delivery-log entry as `logs tail` prints it: a line of a streamed table, or one JSON object per line (JSON Lines),
// each with every key (null where the entry has no value), then one summary line at the end of a follow.
import type { LogEvent } from '../../core/delivery/follow.js';
import { statusWord } from '../../core/delivery/export.js';
import type { RunStory } from '../../core/runs/story.js';
import type { StreamColumn } from '../output.js';
import type { TimeFormat } from '../time.js';
import { runJson } from './broadcast.js';

/** One line per new entry (`new`) and per status change (`change`, with the status it moved `from`). */
export const logEventJson = (e: LogEvent, t: TimeFormat) => {
  const en = e.entry;
  return {
    event: e.kind,
    from: e.kind === 'change' ? e.from : null,
    /** A fan-out run's word for the recipient before the change (unknown → sent), as `state` gives it after. */
    fromState: e.kind === 'change' ? (e.fromState ?? null) : null,
    id: en.id,
    phone: en.phone,
    name: en.name,
    status: en.status,
    /** The server's own status when it is none of the documented ones (or, for a run, how far an accepted message got). */
    rawStatus: en.rawStatus ?? null,
    /** A fan-out run's own word for the recipient: sent, failed, unknown, not sent. */
    state: en.state ?? null,
    error: en.error ?? null,
    messageId: en.waMessageId ?? null,
    createdAt: t.iso(en.createdAt) ?? null,
    sentAt: t.iso(en.sentAt) ?? null,
    deliveredAt: t.iso(en.deliveredAt) ?? null,
    readAt: t.iso(en.readAt) ?? null,
  };
};

/** The last line of a follow: counts per status, failures by reason, and the run's story when it is a run. */
export const logSummaryJson = (s: { counts: Record<string, number>; failureReasons: { reason: string; count: number }[]; interrupted: boolean; run: RunStory | undefined }, t: TimeFormat) => ({
  event: 'summary' as const,
  run: s.run ? runJson(s.run, t) : null,
  counts: s.counts,
  failureReasons: s.failureReasons,
  interrupted: s.interrupted,
});

// On a terminal the time and status keep their width; the name goes first when space is short, then the error.
export const logColumns = (t: TimeFormat): StreamColumn<LogEvent>[] => [
  { header: 'TIME', value: (e) => t.text(e.entry.readAt ?? e.entry.deliveredAt ?? e.entry.sentAt ?? e.entry.createdAt), width: 26 },
  { header: 'PHONE', value: (e) => e.entry.phone, width: 15 },
  { header: 'NAME', value: (e) => e.entry.name, min: 10, drop: 1 },
  // A run's change is told in its own words on both sides ("unknown → sent (QUEUED)"), a broadcast's in statuses.
  { header: 'STATUS', value: (e) => (e.kind === 'change' ? `${e.fromState ?? e.from} → ${statusWord(e.entry)}` : statusWord(e.entry)), width: 19 },
  { header: 'ERROR', value: (e) => e.entry.error ?? '', min: 12, drop: 2 },
];

/** `logs export`: the file written, how many rows (entries) it holds, and the run's story when it is a run. */
export const logExportJson = (id: string, out: string, entries: number, run: RunStory | undefined, t: TimeFormat) => ({ id, out, rows: entries, run: run ? runJson(run, t) : null });
