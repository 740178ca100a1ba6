// Where what was sent is kept in the state folder: a folder per fan-out run (its plan and its journal), the plans
// staged while a sheet is checked, the ledger of idempotency keys, and the locks that keep runs of one key apart.
import { stat } from 'node:fs/promises';
import path from 'node:path';

export const runsDir = (stateDir: string): string => path.join(stateDir, 'runs');
export const planFile = (dir: string): string => path.join(dir, 'plan.jsonl');
export const journalFile = (dir: string): string => path.join(dir, 'journal.jsonl');
export const stagedDir = (stateDir: string): string => path.join(stateDir, 'staged');
export const ledgerFile = (stateDir: string): string => path.join(stateDir, 'ledger.jsonl');

/** The folder of run `runId`; refused unless it is a run id (a path must not climb out of the runs folder). */
export function runDir(stateDir: string, runId: string): string {
  if (!/^[\w-]+$/.test(runId)) throw new Error(`"${runId}" is not a run id`);
  return path.join(runsDir(stateDir), runId);
}

export function lockFile(stateDir: string, key: string): string {
  return path.join(stateDir, 'locks', `${key}.lock`);
}

/** The latest moment anything of a run was written: its journal, its plan, or its folder (where a journal was deleted). */
export async function lastActivity(dir: string): Promise<number | undefined> {
  let latest: number | undefined;
  for (const p of [journalFile(dir), planFile(dir), dir]) {
    const t = (await stat(p).catch(() => undefined))?.mtimeMs;
    if (t !== undefined && (latest === undefined || t > latest)) latest = t;
  }
  return latest;
}
