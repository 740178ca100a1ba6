// Counts per delivery status as small horizontal bars, with delivery and read rates and grouped failure reasons.
import { DELIVERY_STATUSES as ORDER, type DeliveryStatus } from '../providers/port.js';

export function renderCounts(counts: Record<DeliveryStatus, number>, reasons: readonly { reason: string; count: number }[] = [], width = 30): string[] {
  const total = ORDER.reduce((n, s) => n + counts[s], 0);
  const max = Math.max(1, ...ORDER.map((s) => counts[s]));
  const lines = ORDER.map((s) => {
    const n = counts[s];
    const bar = '█'.repeat(Math.round((n / max) * width)) || (n > 0 ? '▏' : '');
    return `  ${s.padEnd(9)} ${String(n).padStart(7)}  ${bar}`;
  });
  lines.push(`  ${'total'.padEnd(9)} ${String(total).padStart(7)}`);
  // Delivered counts every message that reached the phone (read ones too), out of those no longer pending.
  const settled = total - counts.pending;
  const reached = counts.delivered + counts.read;
  if (settled > 0) {
    lines.push(`  delivery rate ${((reached / settled) * 100).toFixed(1)}% · read rate ${reached ? ((counts.read / reached) * 100).toFixed(1) : '0.0'}% of delivered`);
  }
  if (reasons.length > 0) {
    lines.push('  failure reasons:');
    for (const r of reasons) lines.push(`    ${String(r.count).padStart(6)}  ${r.reason}`);
  }
  return lines;
}
