// Where and when a run's messages may be found on the server: the sessions it sent through, and how far the server's
// clock may be from ours.
import type { RunHeader } from './plan.js';
import type { RunState } from './state.js';

/**
 * How far the server's clock may be from ours when no answer has told (its `Date` header): the margin of a listing's
 * time range, and of a match, until one does.
 */
export const CLOCK_SLACK_MS = 5 * 60_000;

/** Every session a run planned or moved to: where its messages may be found. */
export function runSessions(header: RunHeader, state: RunState): string[] {
  return [...new Set([...(header.channelIds ?? [header.channelId]), ...state.moves.keys(), ...state.moves.values()])];
}
