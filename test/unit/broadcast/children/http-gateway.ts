// send and reconcile over real HTTP to the counting gateway of the kill -9 test (127.0.0.1 only).
import type { PlanRecipient } from '../../../../src/core/broadcast/journal.js';
import type { ReconcileResult, SendResult } from '../../../../src/core/broadcast/fanout.js';

export function httpGateway(base: string) {
  const send = async (r: PlanRecipient, signal: AbortSignal): Promise<SendResult> => {
    try {
      const res = await fetch(`${base}/v1/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ recipient: r.phone, i: r.i }),
        signal,
      });
      const body = (await res.json()) as { message_id?: string };
      if (res.status === 202 && body.message_id) return { kind: 'sent', messageId: body.message_id };
      if (res.status === 429) return { kind: 'rate-limited' };
      return { kind: 'rejected', error: `HTTP ${res.status}` };
    } catch (e) {
      return { kind: 'unknown', error: (e as Error).message };
    }
  };
  const reconcile = async (list: PlanRecipient[]): Promise<Map<number, ReconcileResult>> => {
    const out = new Map<number, ReconcileResult>();
    for (const r of list) {
      const res = await fetch(`${base}/v1/messages?recipient=${r.phone}`);
      const body = (await res.json()) as { messages: { message_id: string }[] };
      const m = body.messages[0];
      out.set(r.i, m ? { found: true, messageId: m.message_id } : { found: false });
    }
    return out;
  };
  return { send, reconcile };
}
