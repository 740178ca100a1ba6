// Errors raised by the HTTP client, carrying what a sender must know: did the server possibly act on the request?
import { ConflictError, NotFoundError, OperationError, TransientError, AuthError } from '../errors.js';
import type { BroadcastSummary } from './port.js';

export interface ApiErrorDetails {
  status: number;
  /** The API's own messages, quoted to the user. */
  messages: string[];
  body: unknown;
}

/** The API refused the request (4xx other than auth / not found). The server did not carry it out. */
export class ApiError extends OperationError {
  constructor(message: string, readonly details: ApiErrorDetails, hint?: string) {
    super(message, hint === undefined ? {} : { hint });
  }
}
export class ApiAuthError extends AuthError {
  constructor(message: string, readonly details: ApiErrorDetails, hint?: string) {
    super(message, hint === undefined ? {} : { hint });
  }
}
export class ApiNotFoundError extends NotFoundError {
  constructor(message: string, readonly details: ApiErrorDetails, hint?: string) {
    super(message, hint === undefined ? {} : { hint });
  }
}

/**
 * A failure after retries: network trouble, 5xx, 429, or a response that could not be read.
 * `maybeActed` is true when the server may have carried the request out (a timeout after sending, a dropped
 * connection, a 5xx or unreadable answer to a POST): such a send must be reconciled, never repeated blindly.
 */
/**
 * How long the server asked a poller to wait: a 429 the client could not wait out itself (with Retry-After, else 0);
 * undefined for any other failure. A loop that polls waits that long (never less than its own interval) and goes on.
 */
export function askedToWait(err: unknown): number | undefined {
  return err instanceof TransportError && err.status === 429 ? (err.retryAfterMs ?? 0) : undefined;
}

export class TransportError extends TransientError {
  /** For a 429: how long the server asked to wait. */
  retryAfterMs: number | undefined;
  /** For a POST answered 429: what the account showed afterwards ('present': it acted; 'unknown': cannot tell). */
  acted: 'present' | 'unknown' | undefined;
  /** wa-cli stopped waiting for the answer: the server may still be working on the request. */
  timedOut = false;
  constructor(
    message: string,
    readonly maybeActed: boolean,
    readonly status?: number,
    hint?: string,
  ) {
    super(message, hint === undefined ? {} : { hint });
  }
}

/**
 * While the server asked to wait, the account came to hold the send about to be posted: another runner sent it. The
 * POST was not repeated.
 */
export class FoundOnAccountError extends ConflictError {
  constructor(message: string, readonly broadcast: BroadcastSummary) {
    super(message);
  }
}
