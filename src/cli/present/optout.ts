// An opted-out number: `optout list`, and the numbers `add`, `import` and `sync` put on the list.
import type { OptOut, OptOutData } from '../../core/optout/list.js';
import type { SyncResult } from '../../core/optout/sync.js';
import type { SkippedOptOutRow } from '../../core/optout/file.js';
import type { TimeFormat } from '../time.js';
import type { Presenter } from './presenter.js';
import { skippedRowJson } from './problem.js';

export interface OptOutJson {
  phone: string;
  /** When it was opted out. */
  at: string;
  reason: string;
  source: OptOut['source'];
}

export const optOut: Presenter<OptOut, OptOutJson> = {
  toJson: (e, t) => ({ phone: e.phone, at: t.iso(e.at) ?? e.at, reason: e.reason, source: e.source }),
  columns: (t) => [
    { header: 'PHONE', value: (e) => e.phone },
    { header: 'OPTED OUT', value: (e) => t.text(e.at) },
    { header: 'SOURCE', value: (e) => e.source },
    { header: 'REASON', value: (e) => e.reason },
  ],
};

export const optOutListJson = (d: OptOutData, t: TimeFormat) => ({
  entries: d.entries.map((e) => optOut.toJson(e, t)),
  sync: d.sync ? { since: t.iso(d.sync.since) ?? d.sync.since, seen: d.sync.seen } : null,
});

/** What `optout add` and `optout import` changed: the entries added, and how many were on the list already. */
export const optOutAddedJson = (added: readonly OptOut[], already: number, t: TimeFormat) => ({ added: added.map((e) => optOut.toJson(e, t)), already });

export const optOutSyncJson = (r: SyncResult, t: TimeFormat) => ({
  read: r.read,
  ...optOutAddedJson(r.added, r.already, t),
  unreadable: r.unreadable.map((u) => ({ id: u.id, at: t.iso(u.at) ?? null, content: u.content })),
  ownNumbers: r.ownNumbers,
  since: t.iso(r.since) ?? null,
});

/** What `optout remove` took off the list, and the numbers that were not on it. */
export const optOutRemovedJson = (removed: readonly string[], notListed: readonly string[]) => ({ removed, notFound: notListed });

/** `optout export --out FILE`: the file written and how many numbers it holds. */
export const optOutExportJson = (out: string, entries: number) => ({ out, rows: entries });

/** `optout import`: the numbers read from the file, those added, and each row left out (--skip-invalid). */
export const optOutImportJson = (read: number, added: readonly OptOut[], skipped: readonly SkippedOptOutRow[], t: TimeFormat) => ({
  read,
  ...optOutAddedJson(added, read - added.length, t),
  skippedRows: skipped.map(skippedRowJson),
});
