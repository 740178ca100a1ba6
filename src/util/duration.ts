// A duration as a flag takes it (--settle 1m, --dedupe-window 6h), for the lines that name one back to the person.

/** A duration as one would type it back: 600000 → "10m", 5000 → "5s", 1500 → "1500ms". */
export function formatDuration(ms: number): string {
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000]] as const) {
    if (ms >= size && ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}
