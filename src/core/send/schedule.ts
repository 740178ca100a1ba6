// Schedules: what the server holds is read back and compared with what was asked. Qontak's execute_type and send_at
// on a created broadcast are inferred fields (recorded on broadcasts, not documented for creation), so an answer
// without them is "unknown", never "scheduled".
import type { BroadcastSummary } from '../../providers/port.js';

export type ScheduleCheck =
  | { kind: 'scheduled'; sendAt: string }
  | { kind: 'mismatch'; held: { executeType: string | undefined; sendAt: string | undefined }; message: string }
  | { kind: 'unknown'; message: string };

/** Differences below this are the server's rounding, not a different schedule. */
const TOLERANCE_MS = 1000;

export function verifySchedule(askedIso: string, b: Pick<BroadcastSummary, 'executeType' | 'sendAt' | 'id'>): ScheduleCheck {
  const asked = Date.parse(askedIso);
  if (b.executeType === undefined || b.sendAt === undefined) {
    return { kind: 'unknown', message: `Broadcast ${b.id}: the answer does not say when it will go out (no execute_type or send_at); check it with \`wa-cli broadcast status ${b.id}\`.` };
  }
  const held = Date.parse(b.sendAt);
  if (b.executeType !== 'specific' || Number.isNaN(held) || Math.abs(held - asked) > TOLERANCE_MS) {
    return {
      kind: 'mismatch',
      held: { executeType: b.executeType, sendAt: b.sendAt },
      message: `Broadcast ${b.id} was asked for ${new Date(asked).toISOString()} but the server holds execute_type ${b.executeType}, send_at ${b.sendAt}.`,
    };
  }
  return { kind: 'scheduled', sendAt: new Date(held).toISOString() };
}
