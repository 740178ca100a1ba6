// What the send use case needs of the world and what it hands back: its deps (the profile, the state folder, the clock,
// the signal), the person's side of it (SendUi: lines, a question, progress, the summary before the question), what is
// asked of it (the flags, as values), and every way a send can end, for the command to show.
import type { Env } from '../../env.js';
import type { Profile } from '../../config/profiles.js';
import type { Provider } from '../../providers/port.js';
import type { AnnotationLevel } from '../../util/workflow-command.js';
import type { RecipientOutcome, RunStory } from '../runs/story.js';
import type { EarlierSend } from './dedupe.js';
import type { RunDeps, RunResult } from './fanout-run.js';
import type { PreparedSend, SendRefused, SendRequest, SendSummary, SkippedRow } from './prepare.js';
import type { ServerSendResult } from './server-send.js';

export interface SendDeps {
  /** The profile's provider, asked for when the send needs it (after the run is found, for --resume). */
  provider: () => Promise<Provider>;
  profile: () => Promise<Profile | undefined>;
  /** Whose opt-out list is honoured. */
  profileName: string;
  stateDir: string;
  /** Where relative paths of the flags (--file, --out, --media) are read from. */
  cwd: string;
  env: Env;
  now: () => number;
  /** Rejects when the signal aborts. */
  sleep: (ms: number) => Promise<void>;
  signal: AbortSignal;
  /** The error that ends a send stopped by a signal, with the one line saying what was and was not done. */
  stopped: (message: string) => Error;
  /** A filesystem error as one line naming the path and where it comes from; undefined for any other error. */
  explainFs: (err: unknown) => string | undefined;
}

/** A line of progress kept up to date while long work runs; stopped before anything else is shown. */
export interface ProgressLine {
  update(text: string): void;
  stop(): void;
}

/** A fan-out's progress as it sends: its pace, and any wait for the server's listing. */
export type RunProgress = Required<Pick<RunDeps, 'onWait' | 'onProgress'>> & { stop(): void };

/** A finding pinned to a row of the sheet, for a CI that shows them (GitHub Actions annotations). */
export interface Annotation {
  level: AnnotationLevel;
  file?: string | undefined;
  line?: number | undefined;
  title?: string | undefined;
  message: string;
}

/** The pace a fan-out will go at, and how long it will take at it (shown before it starts). */
export interface Pace {
  ratePerSecond: number;
  expectedSeconds: number;
}

/** What a send is about to do, as the person is shown it before the question (and a dry run as its result). */
export type ShownSummary = SendSummary & Partial<Pace>;

/** Everything of a send that needs the person or the terminal. The use case decides; this only shows and asks. */
export interface SendUi {
  /** Times as the person reads them. */
  readonly time: { text(at: string | number): string };
  info(line: string): void;
  warn(line: string): void;
  /** A line that matters even under --quiet (what to run next). */
  notice(line: string): void;
  /** Whether a confirmation can be had at all: a yes given beforehand (--yes), or a terminal to ask on. */
  readonly canConfirm: boolean;
  /** Asks, default No; `flag` is what answers yes where nobody can be asked. */
  confirm(question: string, flag: string): Promise<boolean>;
  /** What is about to be sent, before the question. */
  summary(s: ShownSummary, category: string): void;
  annotate(items: Annotation[]): void;
  progress(text: string): ProgressLine;
  runProgress(settleMs: number): RunProgress;
}

/** The flags that pace a fan-out and say how it treats recipients in doubt, a send's or a resume's alike. */
export interface RunFlags {
  rate?: number | undefined;
  concurrency?: number | undefined;
  /** --settle: how long a message whose answer was lost may take to be listed. */
  settle?: number | undefined;
  /** false: --no-wait. */
  wait?: boolean | undefined;
  ignoreQuietHours?: boolean | undefined;
}

/**
 * What is asked, as the flags give it: a send (who gets which template with which values, and how it goes), or with
 * `resume` an unfinished fan-out run continued by its id. Flags that do not go together are refused by the use case.
 */
export interface BroadcastRequest extends Omit<Partial<SendRequest>, 'country'>, RunFlags {
  /** --country; the profile's, else Indonesia, when not given. */
  country?: string | undefined;
  sheet?: string | undefined;
  dryRun?: boolean | undefined;
  /** With --dry-run: every recipient's message written to this file. */
  out?: string | undefined;
  dedupeWindow?: number | undefined;
  releaseUnknown?: boolean | undefined;
  resume?: string | undefined;
  /** With --resume: FROM=TO, the unfinished share of session FROM sent through TO. */
  moveSession?: string[] | undefined;
}

/** A fan-out run as it ended: its story, the recipients to show, and what a send adds (who the look left out). */
export interface RunEnd {
  result: RunResult;
  story: RunStory;
  /** Every recipient of a small run; of a large one, those that were not sent. */
  recipients: RecipientOutcome[];
  /** --no-wait: when the recipients in doubt can be settled by the same command. */
  settlesAt: number | undefined;
  leftOut: readonly EarlierSend[];
  skippedRows: readonly SkippedRow[];
}

/**
 * How a send ended, for the command to show. refused: nothing was sent, for the problems listed (the refusal is the
 * error to end with). sent: the broadcast a server-side send made, or (`settled`) the one an earlier send left unknown
 * turned out to make. not-sent / not-resumed: the person said no. nothing-left: --resume found the run finished.
 */
export type SendOutcome =
  | { kind: 'dry-run'; prepared: PreparedSend; pace: Pace | undefined }
  | { kind: 'refused'; refusal: SendRefused; file: string | undefined }
  | { kind: 'sent'; prepared: PreparedSend; broadcast: ServerSendResult; settled: boolean }
  | { kind: 'nothing-to-send'; prepared: PreparedSend; leftOut: EarlierSend[] }
  | { kind: 'run'; end: RunEnd }
  | { kind: 'not-sent' }
  | { kind: 'not-resumed' }
  | { kind: 'nothing-left'; runId: string };
