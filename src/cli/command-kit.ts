// Helpers for declaring commands: the verb's module is imported only when that command runs, so `wa-cli --help`
// loads commander and nothing else.
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Context } from './context.js';

export type VerbModule<O> = { run: (ctx: Context, opts: O, ...args: string[]) => Promise<void> };

/** Wires a command to `run(ctx, opts, ...args)` of a lazily imported module. */
export function lazyAction<O>(ctx: Context, load: () => Promise<VerbModule<O>>) {
  return async (...params: unknown[]): Promise<void> => {
    const command = params[params.length - 1] as Command;
    const args = params.slice(0, -2).flat().filter((a): a is string => typeof a === 'string');
    const mod = await load();
    await mod.run(ctx, command.opts() as O, ...args);
  };
}

export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

export function positiveInt(flag: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v) || Number(v) < 1) throw new InvalidArgumentError(`${flag} takes a whole number of 1 or more.`);
    return Number(v);
  };
}

/** One of `values`, in any case (stored upper-case); anything else is a usage error naming the accepted values. */
export function oneOfUpper(flag: string, values: readonly string[]) {
  return (v: string): string => {
    const u = v.trim().toUpperCase();
    if (!values.includes(u)) throw new InvalidArgumentError(`${flag} takes one of ${values.join(', ')} (got "${v}").`);
    return u;
  };
}

/** Durations like 500ms, 5s, 2m, 1h (a bare number is seconds); `minMs` refuses shorter ones, naming the floor. */
export function parseDuration(flag: string, minMs = 0) {
  return (v: string): number => {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(v.trim());
    if (!m) throw new InvalidArgumentError(`${flag} takes a duration such as 30s, 5m or 1h.`);
    const n = Number(m[1]);
    const unit = m[2] ?? 's';
    const ms = n * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]!;
    if (ms < minMs) throw new InvalidArgumentError(`${flag} is at least ${formatDuration(minMs)}: the API is not asked more often than that.`);
    return ms;
  };
}

/** A duration as one would type it back: 600000 → "10m", 5000 → "5s", 1500 → "1500ms". */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** A duration option whose default shows in --help as it is typed ("10m"), never as milliseconds. */
export function durationOption(flags: string, description: string, defaultMs: number, minMs = 0): Option {
  const flag = flags.split(/[ ,]/)[0]!;
  const floor = minMs > 0 ? `; at least ${formatDuration(minMs)}` : '';
  return new Option(flags, `${description} (30s, 5m, 1h; a bare number is seconds${floor})`).argParser(parseDuration(flag, minMs)).default(defaultMs, formatDuration(defaultMs));
}

/** The shortest interval between two polls of the same thing: a loop that asks faster only floods the API. */
export const MIN_POLL_INTERVAL_MS = 1000;

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export { Command, Option };
