// Uploading a validated contact list and waiting for the provider to process it. Used by `contacts upload` and by
// `broadcast send --file` on Qontak. Talks to the provider through the port only.
import { InputError } from '../input-error.js';
import { chooseUploadFormat, splitRows, toCsvBuffer, toXlsxBuffer, type ContactReport, type NormalisedContact } from '../contacts/index.js';
import type { ContactList, Provider, UploadFile } from '../../providers/port.js';

export interface PlannedUpload {
  name: string;
  file: UploadFile;
  rows: number;
}

/** Cuts the valid contacts into files the provider accepts: one if they fit, numbered parts with `split`. */
export function planUploads(report: ContactReport, name: string, limits: { xlsx: number; csv: number }, split: boolean): PlannedUpload[] {
  const contacts = report.valid;
  if (contacts.length === 0) throw new InputError(`${report.file}: no valid contacts to upload.`);
  const choice = chooseUploadFormat(contacts.length, limits);
  const base = name.replace(/[^\w.-]+/g, '_');
  const fileFor = (rows: NormalisedContact[], format: 'csv' | 'xlsx', suffix: string): UploadFile =>
    format === 'csv'
      ? { filename: `${base}${suffix}.csv`, contentType: 'text/csv', data: toCsvBuffer(report, rows) }
      : {
          filename: `${base}${suffix}.xlsx`,
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          data: toXlsxBuffer(report, rows),
        };
  if (typeof choice === 'string') return [{ name, file: fileFor(contacts, choice, ''), rows: contacts.length }];
  if (!split) {
    throw new InputError(
      `${report.file}: ${contacts.length} contacts exceed the provider's largest upload (${choice.max} rows); pass --split to upload numbered lists.`,
    );
  }
  const chunks = splitRows(contacts, limits.csv);
  return chunks.map((rows, i) => {
    const suffix = `-${i + 1}-of-${chunks.length}`;
    return { name: `${name} (${i + 1}/${chunks.length})`, file: fileFor(rows, 'csv', suffix), rows: rows.length };
  });
}

export type ListOutcome = { kind: 'success'; list: ContactList } | { kind: 'failed'; list: ContactList } | { kind: 'timeout'; list: ContactList };

const FINISHED_OK = new Set(['success', 'done', 'completed', 'finished']);
const FINISHED_BAD = new Set(['failed', 'error', 'failure']);

/** Polls the list until the provider says it is done, failed, or the time is up. */
export async function waitForList(
  provider: Provider,
  first: ContactList,
  opts: { timeoutMs: number; now: () => number; sleep: (ms: number) => Promise<void>; onTick?: (list: ContactList, elapsedMs: number) => void },
): Promise<ListOutcome> {
  const started = opts.now();
  let list = first;
  let interval = 1000;
  for (;;) {
    const p = list.progress.toLowerCase();
    if (FINISHED_OK.has(p)) return { kind: 'success', list };
    if (FINISHED_BAD.has(p)) return { kind: 'failed', list };
    const elapsed = opts.now() - started;
    opts.onTick?.(list, elapsed);
    if (elapsed >= opts.timeoutMs) return { kind: 'timeout', list };
    await opts.sleep(Math.min(interval, Math.max(0, opts.timeoutMs - elapsed)));
    interval = Math.min(5000, Math.round(interval * 1.5));
    list = await provider.getContactList(list.id);
  }
}
