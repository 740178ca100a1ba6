// The plan of a fan-out run: its header (what is sent, through which sessions, at what pace) and every recipient with
// the exact text they get, written once before the first send and read back, streamed, by every later step.
import { open } from 'node:fs/promises';
import { OperationError } from '../../errors.js';
import { fileLines } from './file-lines.js';
import { planFile, runDir } from './paths.js';

export interface RunHeader {
  v: 1;
  runId: string;
  createdAt: string;
  provider: string;
  name: string;
  templateId: string;
  templateName: string;
  channelId: string;
  idempotencyKey: string;
  total: number;
  /** Every session of a fan-out over several (`--channel a,b`); `channelId` is the first. */
  channelIds?: string[];
  /** The template's category: quiet hours apply to a resume as to the first run. */
  category?: string;
  /** `--shard I/N` of the send, shown by `broadcast status --journal`. */
  shard?: string;
  /** The pace the run was started with; a resume keeps it unless told otherwise. */
  rate?: number;
  concurrency?: number;
}

export interface PlannedRecipient {
  i: number;
  row: number;
  phone: string;
  name: string;
  values: Record<string, string>;
  /** The message exactly as rendered and sent as `content`: what reconciliation matches on the server. */
  text: string;
  /** The session this recipient is sent through, pinned when the run spans several (else the header's channelId). */
  session?: string;
}

export async function readHeader(stateDir: string, runId: string): Promise<{ dir: string; header: RunHeader }> {
  const dir = runDir(stateDir, runId);
  return { dir, header: await readHeaderAt(dir) };
}

/** The header of the run in folder `dir` (a run folder anywhere, e.g. copied from another machine). */
export async function readHeaderAt(dir: string): Promise<RunHeader> {
  const h = await open(planFile(dir), 'r');
  try {
    // The first line, however long: read in growing steps until its newline (most headers fit the first 16 KB).
    let buf = Buffer.alloc(1 << 14);
    let end = 0;
    for (;;) {
      const { bytesRead } = await h.read(buf, end, buf.length - end, end);
      const nl = buf.indexOf(10, end);
      end += bytesRead;
      if ((nl !== -1 && nl < end) || bytesRead === 0) return JSON.parse(buf.toString('utf8', 0, nl !== -1 && nl < end ? nl : end)) as RunHeader;
      if (end === buf.length) buf = Buffer.concat([buf], buf.length * 2);
    }
  } finally {
    await h.close();
  }
}

/**
 * Streams the planned recipients without holding them all in memory. A damaged plan cannot say who is to be sent: it
 * stops with one line naming the file and the line.
 */
export async function* readPlan(dir: string): AsyncGenerator<PlannedRecipient> {
  let n = 0;
  for await (const line of fileLines(planFile(dir))) {
    if (++n === 1 || !line) continue;
    let r: PlannedRecipient;
    try {
      r = JSON.parse(line) as PlannedRecipient;
    } catch {
      throw planDamaged(dir, `line ${n} is not a recipient`);
    }
    if (r.i !== n - 2 || typeof r.phone !== 'string' || typeof r.text !== 'string') throw planDamaged(dir, `line ${n} is not recipient ${n - 2}`);
    yield r;
  }
}

/** Reads the whole plan once to prove it is complete: every recipient from 0 to total-1, in order. */
export async function checkPlan(dir: string, total: number): Promise<void> {
  let count = 0;
  for await (const _ of readPlan(dir)) count++;
  if (count !== total) throw planDamaged(dir, `it holds ${count} of ${total} recipients`);
}

function planDamaged(dir: string, what: string): OperationError {
  return new OperationError(`The plan of this run is damaged (${planFile(dir)}: ${what}); nothing more was sent.`, {
    hint: 'Restore the file from a backup, or check who was reached with `wa-cli logs tail RUN` before sending the rest in a new run.',
  });
}
