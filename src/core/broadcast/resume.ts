// `broadcast send --resume RUN`: an unfinished fan-out run continued by its id, under the same guard as a send of its
// key, through the sessions it sends through now (or where `--move-session FROM=TO` moves a share). The command shows
// what is continued, asks, and drives the run with its progress; the decisions are made here.
import { NotFoundError, OperationError, UsageError } from '../../errors.js';
import type { Provider } from '../../providers/port.js';
import { inspectRun } from '../runs/listing.js';
import type { RunHeader } from '../runs/plan.js';
import { runStory, type RunStory } from '../runs/story.js';
import { continueRun, unfinishedShares, type RunDeps, type RunResult, type SessionMove } from './fanout-run.js';
import { withSendGuard } from './guard.js';
import { quietStatus, refuseInQuietHours, type QuietWindow } from './quiet-hours.js';

export interface ResumeDeps {
  stateDir: string;
  now: () => number;
  /** The profile's provider, asked for once the run is found. */
  provider: () => Promise<Provider>;
  /** The quiet hours that hold a template of this category now (none when they do not apply or are overridden). */
  quietFor: (category: string | undefined) => Promise<QuietWindow | undefined>;
  /** Told of a lock taken over. */
  notice?: (line: string) => void;
}

/** What is about to be continued, for the person to confirm. */
export interface ResumePlan {
  runId: string;
  header: RunHeader;
  story: RunStory;
  /** Recipients not settled: to check with the server or send. */
  left: number;
  /** false: the journal is missing or damaged, so every unsettled recipient is checked with the server first. */
  trusted: boolean;
  /** Each share moved, with how many unsettled recipients it holds. */
  moves: (SessionMove & { count: number })[];
}

export interface ResumeSteps {
  /** Shows the plan and asks; false sends nothing. */
  confirm(plan: ResumePlan): Promise<boolean>;
  /** Sends the rest: `go` continues the run with the deps the caller builds (progress, signal), under the guard. */
  drive(provider: Provider, go: (deps: RunDeps) => Promise<RunResult>, quiet: QuietWindow | undefined): Promise<void>;
}

/** nothing-left: the key has no unfinished run (it finished meanwhile); declined: the person said no. */
export type ResumeOutcome = 'continued' | 'nothing-left' | 'declined';

export async function resumeRun(d: ResumeDeps, runId: string, pace: { rate?: number; concurrency?: number }, moveFlags: string[], steps: ResumeSteps): Promise<ResumeOutcome> {
  let header: RunHeader;
  try {
    ({ header } = await inspectRun(d.stateDir, runId));
  } catch {
    throw new NotFoundError(`No fan-out run "${runId}" in ${d.stateDir}.`, {
      hint: '`wa-cli broadcast list` shows the runs on this machine. If its folder was lost, run the original send command again: it rebuilds the run from its recipients and checks each with the server before sending.',
    });
  }
  const moves = moveFlags.map(parseMove);
  const provider = await d.provider();
  if (provider.name !== header.provider) throw new NotFoundError(`Run ${runId} was sent through ${header.provider}, but this profile uses ${provider.name}.`);
  const quiet = await d.quietFor(header.category);
  if (quiet) refuseInQuietHours(quietStatus(quiet, d.now()), header.category ?? '');
  const guard = { stateDir: d.stateDir, key: header.idempotencyKey, now: d.now, provider, searchAccount: false, what: 'Not resuming', ...(d.notice ? { notice: d.notice } : {}) };
  return withSendGuard(guard, async (prior, ledger) => {
    if (prior.kind !== 'unfinished' || prior.runId !== runId) return 'nothing-left';
    const { dir, state } = await inspectRun(d.stateDir, runId);
    const shares = moves.length > 0 ? await unfinishedShares(dir, header, state) : new Map<string, number>();
    if (moves.length > 0) await checkMoves(provider, runId, moves, shares);
    const plan: ResumePlan = {
      runId,
      header,
      story: runStory(header, state),
      left: header.total - state.count('sent') - state.count('failed'),
      trusted: state.trusted,
      moves: moves.map((m) => ({ ...m, count: shares.get(m.from) ?? 0 })),
    };
    if (!(await steps.confirm(plan))) return 'declined';
    await steps.drive(provider, (deps) => continueRun(deps, ledger, runId, pace, moves), quiet);
    return 'continued';
  });
}

function parseMove(text: string): SessionMove {
  const m = /^([^=\s]+)=([^=\s]+)$/.exec(text.trim());
  if (!m || m[1] === m[2]) throw new UsageError(`--move-session ${text}: write FROM=TO with two different sessions, e.g. --move-session ses_backup=ses_main01.`);
  return { from: m[1]!, to: m[2]! };
}

/** FROM must be a session the run sends through now; TO a session of the account that can send. */
async function checkMoves(provider: Provider, runId: string, moves: SessionMove[], shares: Map<string, number>): Promise<void> {
  const channels = await provider.listChannels();
  for (const m of moves) {
    if (!shares.has(m.from)) throw new NotFoundError(`--move-session ${m.from}=${m.to}: run ${runId} sends through ${[...shares.keys()].join(', ')}, not ${m.from}.`);
    const to = channels.find((c) => c.id === m.to);
    if (!to) throw new NotFoundError(`--move-session ${m.from}=${m.to}: no session ${m.to}; \`wa-cli channels list\` shows them.`);
    if (!to.canSend) throw new OperationError(`--move-session ${m.from}=${m.to}: session ${m.to} is ${to.status} and cannot send.`);
  }
}
