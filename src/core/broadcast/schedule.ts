// Schedules: what the server holds is read back at once after the POST and compared with what was asked. Qontak's
// execute_type and send_at are recorded on broadcasts but no document shows how a schedule is asked for, so an answer
// without them is "unknown", never "scheduled", and both name the broadcast so it can be stopped in the web app.
import type { BroadcastSummary } from '../../providers/port.js';

export type ScheduleCheck =
  | { kind: 'scheduled'; sendAt: string }
  | { kind: 'mismatch'; held: { executeType: string | undefined; sendAt: string | undefined }; message: string }
  | { kind: 'unknown'; message: string };

/** Differences below this are the server's rounding, not a different schedule. */
const TOLERANCE_MS = 1000;

export function verifySchedule(askedIso: string, b: Pick<BroadcastSummary, 'executeType' | 'sendAt' | 'id'>): ScheduleCheck {
  const asked = Date.parse(askedIso);
  const stop = `If it must not go out now, stop broadcast ${b.id} in the Qontak web app.`;
  if (b.executeType === undefined || b.sendAt === undefined) {
    return { kind: 'unknown', message: `Broadcast ${b.id} was created, but Qontak's answer does not say when it goes out (no execute_type or send_at), so the schedule is not confirmed. ${stop}` };
  }
  const held = Date.parse(b.sendAt);
  if (b.executeType !== 'specific' || Number.isNaN(held) || Math.abs(held - asked) > TOLERANCE_MS) {
    return {
      kind: 'mismatch',
      held: { executeType: b.executeType, sendAt: b.sendAt },
      message: `Broadcast ${b.id} was asked for ${new Date(asked).toISOString()} but the server holds execute_type ${b.executeType}, send_at ${b.sendAt}: the schedule was not kept. ${stop}`,
    };
  }
  return { kind: 'scheduled', sendAt: new Date(held).toISOString() };
}
