// `broadcast send --resume RUN`: an unfinished fan-out run continued by its id, under the same guard as a send of its
// key, through the sessions it sends through now (or where `--move-session FROM=TO` moves a share). What is continued
// is shown and asked for, then the run is driven as a send's is.
import { NotFoundError, OperationError, UsageError } from '../../errors.js';
import type { Provider } from '../../providers/port.js';
import { inspectRun } from '../runs/listing.js';
import type { RunHeader } from '../runs/plan.js';
import { countsText, runStory } from '../runs/story.js';
import { continueRun, unfinishedShares, type SessionMove } from './fanout-run.js';
import { driveRun, paceOf, quietFor, settlingOf } from './fanout-send.js';
import { withSendGuard } from './guard.js';
import { quietStatus, refuseInQuietHours } from './quiet-hours.js';
import type { BroadcastRequest, SendDeps, SendOutcome, SendUi } from './send-io.js';

export async function resumeRun(d: SendDeps, req: BroadcastRequest & { resume: string }, ui: SendUi): Promise<SendOutcome> {
  const runId = req.resume;
  let header: RunHeader;
  try {
    ({ header } = await inspectRun(d.stateDir, runId));
  } catch {
    throw new NotFoundError(`No fan-out run "${runId}" in ${d.stateDir}.`, {
      hint: '`wa-cli broadcast list` shows the runs on this machine. If its folder was lost, run the original send command again: it rebuilds the run from its recipients and checks each with the server before sending.',
    });
  }
  const moves = (req.moveSession ?? []).map(parseMove);
  const provider = await d.provider();
  if (provider.name !== header.provider) throw new NotFoundError(`Run ${runId} was sent through ${header.provider}, but this profile uses ${provider.name}.`);
  const quiet = await quietFor(d, header.category, req.ignoreQuietHours === true);
  if (quiet) refuseInQuietHours(quietStatus(quiet, d.now()), header.category ?? '');
  const guard = { stateDir: d.stateDir, key: header.idempotencyKey, now: d.now, provider, searchAccount: false, what: 'Not resuming', notice: (line: string) => ui.warn(line) };
  return withSendGuard(guard, async (prior, ledger): Promise<SendOutcome> => {
    // The key has no unfinished run: it finished meanwhile.
    if (prior.kind !== 'unfinished' || prior.runId !== runId) return { kind: 'nothing-left', runId };
    const { dir, state } = await inspectRun(d.stateDir, runId);
    const shares = moves.length > 0 ? await unfinishedShares(dir, header, state) : new Map<string, number>();
    if (moves.length > 0) await checkMoves(provider, runId, moves, shares);
    // Recipients not settled: to check with the server or send.
    const left = header.total - state.count('sent') - state.count('failed');
    for (const m of moves) ui.info(`Moving the ${shares.get(m.from) ?? 0} unsettled recipient(s) of session ${m.from} to ${m.to}.`);
    ui.info(`Resuming run ${runId}: ${countsText(runStory(header, state))}; ${left} to check or send.`);
    if (!state.trusted) ui.warn(`the journal of run ${runId} is missing or damaged; every unsettled recipient is checked with the server before anything is sent.`);
    if (!(await ui.confirm(`Continue sending to up to ${left} recipient(s)?`, '--yes'))) return { kind: 'not-resumed' };
    return driveRun(d, ui, provider, settlingOf(req), (deps) => continueRun(deps, ledger, runId, paceOf(req), moves), quiet);
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
