// One guard around every send: the lock that keeps overlapping runs apart, then what the key has done before. A key
// that finished refuses (exit 5, saying what was sent and when); a Konekwa run it started and did not finish is handed
// back so the same command continues it; a Qontak send left unknown is settled on the account first.
import { ConflictError, TransientError } from '../../errors.js';
import type { BroadcastSummary, Provider } from '../../providers/port.js';
import { countsText, isFinished, runStory } from '../runs/story.js';
import { inspectRun } from '../runs/listing.js';
import { findKeyOnAccount, findKeyUse, SETTLE_MS } from './key-use.js';
import { lockFile } from '../runs/paths.js';
import { Ledger, type LedgerRecord } from '../runs/ledger.js';
import { acquireLock, LockHeldError } from '../runs/lock.js';

export interface GuardSpec {
  stateDir: string;
  key: string;
  now: () => number;
  provider: Provider;
  /** Look for the key on the account too (Qontak writes it into the broadcast name). */
  searchAccount: boolean;
  /** What is being refused, for the message ("Not sending", "Not resuming"). */
  what: string;
  /** Told of a lock taken over (its holder died, or the file held no holder at all). */
  notice?: (line: string) => void;
  /** --release-unknown: a send left unknown that the account does not show after the settle window frees its key. */
  releaseUnknown?: boolean;
}

/**
 * Nothing was sent with the key (`released`: a send left unknown was let go with --release-unknown), or a run of it is
 * unfinished and must be continued, or the ledger names a run of it whose folder is gone (`record`: what the ledger
 * says it sent), or a send left unknown turned out to be on the account: that broadcast is the outcome of the earlier
 * send, and nothing is sent again.
 */
export type Prior =
  | { kind: 'fresh'; released?: LedgerRecord }
  | { kind: 'unfinished'; runId: string }
  | { kind: 'lost'; runId: string; record: LedgerRecord }
  | { kind: 'settled'; broadcast: BroadcastSummary; record: LedgerRecord };

const NEW_KEY_WARNING = 'A new --idempotency-key sends to every recipient again; use one only if that is what you want.';

export async function withSendGuard<T>(g: GuardSpec, body: (prior: Prior, ledger: Ledger) => Promise<T>): Promise<T> {
  let release: () => Promise<void>;
  try {
    release = await acquireLock(lockFile(g.stateDir, g.key), g.now, g.notice);
  } catch (err) {
    if (err instanceof LockHeldError) {
      const h = err.holder;
      throw new ConflictError(`${g.what}: key ${g.key} is in progress: pid ${h.pid} on host ${h.host} since ${h.startedAt}.`, {
        hint: 'Wait for that run to end; a later run of the same command continues whatever it leaves unfinished.',
      });
    }
    throw err;
  }
  try {
    const ledger = new Ledger(g.stateDir);
    return await body(await priorUse(g, ledger), ledger);
  } finally {
    await release();
  }
}

async function priorUse(g: GuardSpec, ledger: Ledger): Promise<Prior> {
  const use = await findKeyUse(ledger, g.provider, g.key, g.searchAccount, { now: g.now });
  if (use?.where === 'account') {
    const b = use.broadcast;
    throw new ConflictError(`Already sent with idempotency key ${g.key}: broadcast ${b.id} "${b.name}" created ${b.createdAt ?? '(unknown time)'}, found on the account.`, { hint: NEW_KEY_WARNING });
  }
  // A lost ledger still knows the run: Ledger.find falls back to the run folders, which carry their key.
  const runId = use?.record.runId;
  if (runId) {
    let run;
    try {
      run = await inspectRun(g.stateDir, runId);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'lost', runId, record: use!.record };
      throw err;
    }
    if (!isFinished(run.header, run.state)) return { kind: 'unfinished', runId };
    throw new ConflictError(
      `Already sent with idempotency key ${g.key}: run ${runId} started ${run.header.createdAt}, ${run.header.templateName} to ${run.header.total} recipient(s): ${countsText(runStory(run.header, run.state))}.`,
      { hint: NEW_KEY_WARNING },
    );
  }
  if (!use) return { kind: 'fresh' };
  const r = use.record;
  if (r.status === 'done') {
    throw new ConflictError(`Already sent with idempotency key ${g.key}: ${r.template} to ${r.recipients} recipient(s) at ${r.at}${r.broadcastId ? `, broadcast ${r.broadcastId}` : ''}.`, { hint: NEW_KEY_WARNING });
  }
  if (g.provider.broadcasts) return settle(g, ledger, r, g.provider.broadcasts);
  throw new ConflictError(`A send with idempotency key ${g.key} has an unknown outcome (${r.status} at ${r.at}, ${r.template} to ${r.recipients} recipient(s)): it may have gone out.`, {
    hint: `Check with \`wa-cli broadcast list\` or a recipient's phone first. ${NEW_KEY_WARNING}`,
  });
}

/**
 * A Qontak send whose outcome stayed unknown (a lost answer, an answer without the id, a crash after the POST): the
 * account is asked for the key. Found: that broadcast is the outcome, recorded as done. Absent: within the settle
 * window the server may not list it yet (exit 6); after it, the key is released only with --release-unknown (else
 * exit 5). A direct send carries no name and cannot be looked up: only the flag releases it.
 */
async function settle(g: GuardSpec, ledger: Ledger, r: LedgerRecord, broadcasts: NonNullable<Provider['broadcasts']>): Promise<Prior> {
  const now = new Date(g.now()).toISOString();
  const base = { key: r.key, provider: r.provider, template: r.template, target: r.target, recipients: r.recipients };
  const unsettled = `A send with idempotency key ${g.key} has an unknown outcome (${r.status} at ${r.at}, ${r.template} to ${r.recipients} recipient(s))`;
  const lookable = g.searchAccount && !r.target.startsWith('to:');
  if (lookable) {
    const b = await findKeyOnAccount(broadcasts, g.key, { now: g.now });
    if (b) {
      await ledger.record({ ...base, at: now, status: 'done', broadcastId: b.id, detail: 'settled: found on the account by its key' });
      return { kind: 'settled', broadcast: b, record: r };
    }
    const readyAt = Date.parse(r.at) + SETTLE_MS;
    if (!(g.now() >= readyAt)) {
      throw new TransientError(`${unsettled}, and no broadcast with this key is on the account yet; the server may still be recording it.`, {
        hint: `Run the same command again after ${new Date(readyAt).toISOString()}: it reports the broadcast if it appears, and says so if it does not.`,
      });
    }
  }
  const why = lookable
    ? `no broadcast with this key is on the account ${Math.round((g.now() - Date.parse(r.at)) / 60_000)} minute(s) later, so it most likely did not go out`
    : 'a direct send carries no name, so the account cannot show whether it went out';
  if (!g.releaseUnknown) {
    throw new ConflictError(`${unsettled}: ${why}.`, {
      hint: `${lookable ? '' : "Check the recipient's phone first. "}To send it now, run the same command with --release-unknown: the key is released and the send goes ahead.`,
    });
  }
  await ledger.record({ ...base, at: now, status: 'failed', detail: `released with --release-unknown: ${why}` });
  return { kind: 'fresh', released: r };
}
