// A delivery-log entry in one shape for every provider, and the order its statuses move in.

export type LogStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';

/** Every status, in the order a message moves through them; `failed` is terminal and ranks last. */
export const LOG_STATUSES: readonly LogStatus[] = ['pending', 'sent', 'delivered', 'read', 'failed'];

export interface LogEntry {
  /** The provider's id for this log entry; the key used to follow it. */
  id: string;
  phone: string;
  name?: string;
  status: LogStatus;
  /** The failure reason as the API gave it; absent when there is none (Qontak's "n/a"). */
  error?: string;
  waMessageId?: string;
  /** ISO 8601 times, when known. */
  createdAt?: string;
  sentAt?: string;
  deliveredAt?: string;
  readAt?: string;
}

/** A small integer per status (its index in LOG_STATUSES): what the follower keeps per entry. */
export function statusCode(s: LogStatus): number {
  return LOG_STATUSES.indexOf(s);
}

export function statusFromCode(code: number): LogStatus {
  const s = LOG_STATUSES[code];
  if (s === undefined) throw new RangeError(`status code ${code} is not one of 0..${LOG_STATUSES.length - 1}`);
  return s;
}

export function isLogStatus(v: unknown): v is LogStatus {
  return typeof v === 'string' && (LOG_STATUSES as readonly string[]).includes(v);
}

/** The time that belongs to an entry's current status, falling back to when it was created. */
export function timeOfStatus(e: LogEntry): string | undefined {
  switch (e.status) {
    case 'read':
      return e.readAt ?? e.deliveredAt ?? e.sentAt ?? e.createdAt;
    case 'delivered':
      return e.deliveredAt ?? e.sentAt ?? e.createdAt;
    case 'sent':
      return e.sentAt ?? e.createdAt;
    default:
      return e.createdAt;
  }
}
