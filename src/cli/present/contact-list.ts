// A contact list on the account (Qontak): `contacts lists`, `show` and `upload`, one shape.
import type { ContactList } from '../../providers/port.js';
import { listRejections } from '../../core/contacts/list-upload.js';
import type { TimeFormat } from '../time.js';
import type { Column } from '../output.js';
import type { Presenter } from './presenter.js';

export interface ContactListJson {
  id: string | null;
  name: string;
  createdAt: string | null;
  /** The server's progress word (processing, success, failed…), as it gives it; null before an upload. */
  status: string | null;
  contacts: number;
  succeeded: number;
  failed: number;
  variables: string[];
  /** The server's messages about rows it dropped, one line each (their shape is not documented). */
  errorMessages: string[];
  finishedAt: string | null;
}

export const contactList: Presenter<ContactList, ContactListJson> & { details(l: ContactList, time: TimeFormat): [string, unknown][] } = {
  toJson: (l, t) => ({
    id: l.id,
    name: l.name,
    createdAt: t.iso(l.createdAt) ?? null,
    status: l.progress,
    contacts: l.count,
    succeeded: l.succeeded,
    failed: l.failed,
    variables: l.variables,
    errorMessages: listRejections(l).reasons,
    finishedAt: t.iso(l.finishedAt) ?? null,
  }),
  columns: (t) => [
    { header: 'ID', value: (l) => l.id, id: true },
    { header: 'NAME', value: (l) => l.name },
    { header: 'PROGRESS', value: (l) => l.progress },
    { header: 'CONTACTS', value: (l) => l.count },
    { header: 'FAILED', value: (l) => l.failed },
    { header: 'CREATED', value: (l) => t.text(l.createdAt), drop: 1 },
  ],
  details: (l, t) => {
    const errors = listRejections(l).reasons;
    return [
      ['id', l.id],
      ['name', l.name],
      ['progress', l.progress],
      ['contacts', `${l.count} (${l.succeeded} added, ${l.failed} failed)`],
      ['variables', l.variables.join(', ') || '(none)'],
      ['created', t.text(l.createdAt)],
      ['finished', t.text(l.finishedAt) || '—'],
      ['errors', errors.length ? errors.join('; ') : '(none)'],
    ];
  },
};

/** One list `contacts upload` made (or, in a dry run, would make): the list as any other, and how its upload ended. */
export interface Upload {
  kind: 'success' | 'failed' | 'unknown' | 'timeout' | 'queued' | 'dry-run';
  list?: ContactList;
  name: string;
  rows: number;
}

export const upload: Presenter<Upload, ContactListJson & { outcome: Upload['kind'] }> = {
  toJson: (u, t) =>
    u.list
      ? { ...contactList.toJson(u.list, t), outcome: u.kind }
      : { id: null, name: u.name, createdAt: null, status: null, contacts: u.rows, succeeded: 0, failed: 0, variables: [], errorMessages: [], finishedAt: null, outcome: u.kind },
  columns: (): Column<Upload>[] => [
    { header: 'LIST ID', value: (u) => u.list?.id ?? '', id: true },
    { header: 'NAME', value: (u) => u.name },
    { header: 'OUTCOME', value: (u) => u.kind },
    { header: 'SUCCEEDED', value: (u) => u.list?.succeeded ?? 0 },
    { header: 'FAILED', value: (u) => u.list?.failed ?? 0 },
  ],
};
