// A delivery log exported to CSV or XLSX (`logs export`), one row per recipient, through the one table writer.
import type { LogEntry } from '../../providers/port.js';
import { TABLE_EXTENSIONS, writeTable } from '../../util/table-file.js';

export const EXPORT_COLUMNS = ['phone', 'name', 'status', 'error', 'whatsapp_message_id', 'created_at', 'sent_at', 'delivered_at', 'read_at'] as const;

/** Writes a time into an export (the CLI's one time format: ISO 8601 with the local offset). */
export type TimeWriter = (at: string | undefined) => string | undefined;

function row(e: LogEntry, time: TimeWriter): string[] {
  return [e.phone, e.name, statusWord(e), e.error ?? '', e.waMessageId ?? '', time(e.createdAt) ?? '', time(e.sentAt) ?? '', time(e.deliveredAt) ?? '', time(e.readAt) ?? ''];
}

/**
 * An entry's status as shown: a fan-out run's own word for the recipient (what its counts count), with the server's
 * status of an accepted message as it came ("sent (QUEUED)"); else the delivery status.
 */
export function statusWord(e: LogEntry): string {
  if (e.state === undefined) return e.status;
  return e.rawStatus ? `${e.state} (${e.rawStatus})` : e.state;
}

export const EXPORT_EXTENSIONS = TABLE_EXTENSIONS;

/**
 * Writes the log to `outPath` atomically: nothing appears there (and an existing file stays as it was) unless every
 * page was read and written; a bad id or a failure half way leaves no partial file.
 */
export function exportLog(entries: AsyncIterable<LogEntry>, outPath: string, time: TimeWriter = (at) => at): Promise<number> {
  return writeTable(EXPORT_COLUMNS, logRows(entries, time), outPath, { sheet: 'log' });
}

async function* logRows(entries: AsyncIterable<LogEntry>, time: TimeWriter): AsyncGenerator<string[]> {
  for await (const e of entries) yield row(e, time);
}
