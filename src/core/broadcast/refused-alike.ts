// A run-wide refusal that reads like one recipient's. Konekwa documents no error code for an invalid recipient, so a
// 400 is taken as the recipient's by its words (the adapter); a gateway that refuses every send with such words would
// then mark the whole list failed, one recipient after another. Several in a row refused with the very same answer and
// nothing sent between is taken as about every send: that session stops, its other recipients stay to be sent.

/** How many refusals alike in a row, with nothing sent between, stop a session. */
export const REFUSED_ALIKE = 5;

export class RefusedAlike {
  private readonly streaks = new Map<string, { error: string; count: number }>();

  sent(lane: string): void {
    this.streaks.delete(lane);
  }

  /** The reason to stop the session, once its last refusals were all the same answer. */
  refused(lane: string, error: string): string | undefined {
    const s = this.streaks.get(lane);
    const count = s?.error === error ? s.count + 1 : 1;
    this.streaks.set(lane, { error, count });
    if (count < REFUSED_ALIKE) return undefined;
    return `${count} recipients in a row were refused with the same answer and none was sent between, which is more likely about every send than about these numbers, so the rest were not sent: ${error}`;
  }
}
