// The runs on this machine, or in folders copied from others: each read from its own plan and journal.
import { readdir } from 'node:fs/promises';
import { NotFoundError, UsageError } from '../../errors.js';
import { runsDir } from './paths.js';
import { readHeader, readHeaderAt, type RunHeader } from './plan.js';
import { replay, type RunState } from './state.js';
import { countsOf, isFinished, runStory, type RunCounts, type RunStatus } from './story.js';

/** The state of a run as its journal tells it, without sending. */
export async function inspectRun(stateDir: string, runId: string): Promise<{ dir: string; header: RunHeader; state: RunState }> {
  const { dir, header } = await readHeader(stateDir, runId);
  return { dir, header, state: await replay(dir, header.total) };
}

/** The header of every run on this machine, newest first; a folder whose plan was never completed is left out. */
export async function listRuns(stateDir: string): Promise<RunHeader[]> {
  let names: string[];
  try {
    names = await readdir(runsDir(stateDir));
  } catch {
    return [];
  }
  const out: RunHeader[] = [];
  for (const n of names.sort().reverse()) {
    try {
      out.push((await readHeader(stateDir, n)).header);
    } catch {
      // a run whose plan was never completed sent nothing
    }
  }
  return out;
}

export interface RunListing extends RunCounts {
  id: string;
  name: string;
  createdAt: string;
  /** damaged: its journal cannot be read at all. */
  status: RunStatus | 'damaged';
  template: string;
  idempotencyKey: string;
  resume: string | null;
}

export interface JournalTotals {
  runs: { path: string; runId: string; name: string; createdAt: string; shard: string | null; template: string; idempotencyKey: string; status: RunStatus; damaged: boolean; counts: RunCounts }[];
  total: RunCounts;
}

/**
 * Run folders given as paths (copied from several machines, e.g. one per shard), each read from its own journal, and
 * their counts summed. `path` names the folder as given, in errors; the same run twice would count twice and is refused.
 */
export async function journalTotals(dirs: { path: string; dir: string }[]): Promise<JournalTotals> {
  const runs: JournalTotals['runs'] = [];
  for (const { path: where, dir } of dirs) {
    let header: RunHeader;
    try {
      header = await readHeaderAt(dir);
    } catch {
      throw new NotFoundError(`--journal ${where}: no fan-out run there (a run folder holds plan.jsonl and journal.jsonl).`);
    }
    const twin = runs.find((r) => r.runId === header.runId);
    if (twin) throw new UsageError(`--journal ${where}: run ${header.runId} is also given as ${twin.path}; each run counts once.`);
    const state = await replay(dir, header.total);
    runs.push({
      path: where,
      runId: header.runId,
      name: header.name,
      createdAt: header.createdAt,
      shard: header.shard ?? null,
      template: header.templateName,
      idempotencyKey: header.idempotencyKey,
      status: isFinished(header, state) ? 'done' : 'unfinished',
      damaged: !state.trusted,
      counts: countsOf(state, header.total),
    });
  }
  const total: RunCounts = { total: 0, sent: 0, failed: 0, unknown: 0, notSent: 0 };
  for (const r of runs) for (const k of Object.keys(total) as (keyof RunCounts)[]) total[k] += r.counts[k];
  return { runs, total };
}

/** Every run on this machine with where it stands, newest first. */
export async function listRunStates(stateDir: string): Promise<RunListing[]> {
  const out: RunListing[] = [];
  for (const h of await listRuns(stateDir)) {
    let state: RunState | undefined;
    try {
      state = (await inspectRun(stateDir, h.runId)).state;
    } catch {
      state = undefined;
    }
    const story = state ? runStory(h, state) : undefined;
    const status = story?.status ?? 'damaged';
    out.push({
      id: h.runId,
      name: h.name,
      createdAt: h.createdAt,
      status,
      template: h.templateName,
      idempotencyKey: h.idempotencyKey,
      total: h.total,
      sent: story?.sent ?? 0,
      failed: story?.failed ?? 0,
      unknown: story?.unknown ?? 0,
      notSent: story?.notSent ?? h.total,
      resume: status === 'done' ? null : `wa-cli broadcast send --resume ${h.runId}`,
    });
  }
  return out;
}
