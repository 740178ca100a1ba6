// A presenter is one type as wa-cli prints it: its --json object and its table columns side by side, so a field added
// to one is seen beside the other. Every --json goes through one (the README's "JSON output" is their contract):
// camelCase keys, times in ISO 8601 with the local offset (through the one time format), numbers as numbers, and
// never a provider's raw object. Server words are values, never keys. Only commands import presenters; presenters
// import the types they present from below and nothing of the command that prints them.
import type { Column } from '../output.js';
import type { TimeFormat } from '../time.js';

export interface Presenter<T, J> {
  toJson(value: T, time: TimeFormat): J;
  /** The table a list of them prints on a terminal (TSV when piped). */
  columns(time: TimeFormat): readonly Column<T>[];
}

/** A value of unknown shape as text: strings as they are, anything else as its JSON (never "[object Object]"). */
export function textOf(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  return typeof v === 'string' ? v : JSON.stringify(v);
}
