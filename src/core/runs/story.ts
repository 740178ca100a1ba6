// A run's one story: what `broadcast send`, `status`, `list`, `logs tail`, `logs export` and `doctor` all say of a run,
// in the same words and counts, from its journal alone.
import { readPlan, type RunHeader } from './plan.js';
import type { RecipientState, RunState } from './state.js';

/** Every recipient settled: whatever lines a damaged journal lost, none can unsettle a recipient sent or failed. */
export const isFinished = (h: RunHeader, s: RunState): boolean => s.count('sent') + s.count('failed') === h.total;

/** A recipient's state in the words every count of a run uses. */
export type RecipientWord = 'sent' | 'failed' | 'unknown' | 'not sent';
export function recipientWord(s: RecipientState): RecipientWord {
  if (s === 'sent' || s === 'failed') return s;
  return s === 'sending' || s === 'unknown' ? 'unknown' : 'not sent';
}

/** A recipient of a run with what became of it: its row, number, state, and why. */
export interface RecipientOutcome {
  row: number;
  phone: string;
  name: string;
  state: RecipientWord;
  messageId: string | null;
  error: string | null;
}

/** Every recipient of a run with what became of it (for tables and --json). */
export async function* runOutcomes(dir: string, state: RunState): AsyncGenerator<RecipientOutcome> {
  for await (const p of readPlan(dir)) {
    yield {
      row: p.row,
      phone: p.phone,
      name: p.name,
      state: recipientWord(state.get(p.i)),
      messageId: state.messageIds.get(p.i) ?? null,
      error: state.errors.get(p.i) ?? null,
    };
  }
}

export interface RunCounts {
  total: number;
  sent: number;
  failed: number;
  unknown: number;
  notSent: number;
}

/** done: every recipient settled; unfinished: the same send command (or --resume) continues it. */
export type RunStatus = 'done' | 'unfinished';

/**
 * One story per run: what `broadcast send`, `status`, `list`, `logs tail` and `logs export` all say of a run, from its
 * journal alone (the server adds how far accepted messages got, never other counts).
 */
export interface RunStory extends RunCounts {
  id: string;
  name: string;
  createdAt: string;
  status: RunStatus;
}

export const countsOf = (s: RunState, total: number): RunCounts => ({
  total,
  sent: s.count('sent'),
  failed: s.count('failed'),
  unknown: s.count('unknown') + s.count('sending'),
  notSent: s.count('not-sent') + s.count('pending'),
});

export const runStory = (h: RunHeader, s: RunState): RunStory => ({ id: h.runId, name: h.name, createdAt: h.createdAt, status: isFinished(h, s) ? 'done' : 'unfinished', ...countsOf(s, h.total) });

/** "12 sent, 0 failed, 2 unknown, 106 not sent, of 120". */
export const countsText = (c: RunCounts): string => `${c.sent} sent, ${c.failed} failed, ${c.unknown} unknown, ${c.notSent} not sent, of ${c.total}`;
