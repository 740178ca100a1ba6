// One family of errors. Each kind carries the exit code DESIGN.md assigns to it; main.ts is the only place that turns
// them into a process exit code.

export const ExitCode = {
  ok: 0,
  failed: 1,
  usage: 2,
  notFound: 3,
  auth: 4,
  conflict: 5,
  transient: 6,
  /** The terminal went away (SIGHUP): 128 + 1. */
  hangup: 129,
  interrupted: 130,
  /** Stopped by SIGTERM (a CI runner cancelling, `kill`): 128 + 15. */
  terminated: 143,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class WaError extends Error {
  readonly exitCode: ExitCodeValue = ExitCode.failed;
  /** A second sentence: what to do about it. */
  readonly hint: string | undefined;
  constructor(message: string, opts: { hint?: string; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.hint = opts.hint;
  }
}

/** An operation failed: an API refusal, validation findings, failed recipients. */
export class OperationError extends WaError {
  override readonly exitCode = ExitCode.failed;
}
export class UsageError extends WaError {
  override readonly exitCode = ExitCode.usage;
}
/**
 * Input a person gave cannot be read: a broken spreadsheet, invalid JSON, an unknown extension. The message is one line
 * naming the file (and row, column or field). A usage error: exit 2.
 */
export class InputError extends UsageError {}
export class NotFoundError extends WaError {
  override readonly exitCode = ExitCode.notFound;
}
export class AuthError extends WaError {
  override readonly exitCode = ExitCode.auth;
}
export class ConflictError extends WaError {
  override readonly exitCode = ExitCode.conflict;
}
export class TransientError extends WaError {
  override readonly exitCode = ExitCode.transient;
}
/** Which signal stopped the command: Ctrl-C, SIGTERM, or the terminal hanging up. */
export type StopSignal = 'SIGINT' | 'SIGTERM' | 'SIGHUP';

const SIGNAL_EXIT: Record<StopSignal, ExitCodeValue> = { SIGINT: ExitCode.interrupted, SIGTERM: ExitCode.terminated, SIGHUP: ExitCode.hangup };

export class InterruptedError extends WaError {
  override readonly exitCode: ExitCodeValue;
  readonly signal: StopSignal;
  constructor(message: string, opts: { hint?: string; cause?: unknown; signal?: StopSignal } = {}) {
    super(message, opts);
    this.signal = opts.signal ?? 'SIGINT';
    this.exitCode = SIGNAL_EXIT[this.signal];
  }
}

/** The exit code of a command stopped by the signal behind `reason` (an aborted signal's reason): 130 unless told. */
export function stopExitCode(reason: unknown): ExitCodeValue {
  return reason instanceof InterruptedError ? reason.exitCode : ExitCode.interrupted;
}

/** A command finished and has already reported; it only needs a non-zero exit code. */
export class SilentExit extends WaError {
  override readonly exitCode: ExitCodeValue;
  constructor(code: ExitCodeValue) {
    super('');
    this.exitCode = code;
  }
}

export function exitCodeFor(err: unknown): ExitCodeValue {
  if (err instanceof WaError) return err.exitCode;
  return ExitCode.failed;
}
