// One guard around every send: the lock that keeps overlapping runs apart, then what the key has done before. A key
// that finished refuses (exit 5, saying what was sent and when); a Konekwa run it started and did not finish is handed
// back so the same command continues it.
import { ConflictError } from '../../errors.js';
import type { Provider } from '../../providers/port.js';
import { countsText, inspectRun, isFinished, runStory } from '../fanout/run.js';
import { findKeyUse, lockFile } from './guard.js';
import { Ledger, type LedgerRecord } from './ledger.js';
import { acquireLock, LockHeldError } from './lock.js';

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
}

/**
 * Nothing was sent with the key; or a run of it is unfinished and must be continued rather than started again; or the
 * ledger names a run of it whose folder is gone (`record`: what the ledger says it sent).
 */
export type Prior = { kind: 'fresh' } | { kind: 'unfinished'; runId: string } | { kind: 'lost'; runId: string; record: LedgerRecord };

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
  throw new ConflictError(`A send with idempotency key ${g.key} has an unknown outcome (${r.status} at ${r.at}, ${r.template} to ${r.recipients} recipient(s)): it may have gone out.`, {
    hint: `Check with \`wa-cli broadcast list\` or a recipient's phone first. ${NEW_KEY_WARNING}`,
  });
}
