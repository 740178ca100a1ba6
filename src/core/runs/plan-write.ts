// A new run's folder: its plan written whole and synced before anything is sent, then its journal opened with its
// first line. A staged plan becomes the plan by a rename, with its header written into the room left for it.
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { openAtomic, withPath, writeAll, type AtomicWriter } from '../../util/atomic-file.js';
import { Journal } from './journal.js';
import { fileLines } from './file-lines.js';
import { journalFile, planFile, runDir, runsDir } from './paths.js';
import type { PlannedRecipient, RunHeader } from './plan.js';
import { HEADER_ROOM, PlanStage } from './plan-stage.js';
import { RunState } from './state.js';

/**
 * Writes the plan atomically and opens an empty journal. Anything that fails on the way (a full disk) leaves no run
 * folder behind: nothing was sent yet.
 */
export async function createRun(stateDir: string, header: RunHeader, recipients: Iterable<PlannedRecipient> | PlanStage): Promise<Journal> {
  const dir = runDir(stateDir, header.runId);
  await mkdir(runsDir(stateDir), { recursive: true, mode: 0o700 });
  await mkdir(dir, { mode: 0o700 });
  let file = planFile(dir);
  try {
    const headerLine = JSON.stringify(header);
    if (recipients instanceof PlanStage && Buffer.byteLength(headerLine) < HEADER_ROOM) {
      // The header goes into the room left for it (padded with spaces, which JSON allows), and the stage becomes the plan.
      recipients.finish();
      file = recipients.file;
      const h = await open(recipients.file, 'r+');
      try {
        await writeAll(h, `${headerLine}${' '.repeat(HEADER_ROOM - 1 - Buffer.byteLength(headerLine))}`, 0);
        await h.sync();
      } finally {
        await h.close();
      }
      await rename(recipients.file, planFile(dir));
    } else {
      // Written to a temporary file beside it and renamed into place once whole and synced.
      const out = await openAtomic(planFile(dir));
      try {
        let buf = `${headerLine}\n`;
        if (recipients instanceof PlanStage) {
          recipients.finish();
          for await (const line of fileLines(recipients.file)) if (line.trim()) buf = await writeSome(out, `${buf}${line}\n`);
        } else {
          for (const r of recipients) buf = await writeSome(out, `${buf}${JSON.stringify(r)}\n`);
        }
        await out.write(buf);
      } catch (err) {
        await out.abort();
        throw err;
      }
      await out.commit();
      if (recipients instanceof PlanStage) recipients.discard();
    }
    file = journalFile(dir);
    // A sending run keeps message ids in the journal only: memory stays flat however long the list.
    const journal = await Journal.open(dir, header, new RunState(header.total, { ids: false }));
    await journal.opening();
    return journal;
  } catch (err) {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw withPath(err, file);
  }
}

/** Writes `buf` once it holds 64 KB; returns what is left to write. */
async function writeSome(out: AtomicWriter, buf: string): Promise<string> {
  if (buf.length <= 1 << 16) return buf;
  await out.write(buf);
  return '';
}
