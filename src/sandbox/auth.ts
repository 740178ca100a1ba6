// Authentication as the real services check it. HMAC is verified independently of the client's signer: the same
// published algorithm, a separate implementation, so a bug in one does not hide in the other.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Req } from './http-kit.js';

export const HMAC_CLOCK_SKEW_S = 300;

export type HmacResult = { ok: true } | { ok: false; reason: string };

export function verifyHmac(req: Req, clientId: string, secret: string, nowMs: number): HmacResult {
  const header = req.headers.authorization ?? '';
  const m = /^hmac\s+(.*)$/i.exec(header);
  if (!m) return { ok: false, reason: 'no hmac authorization' };
  const fields: Record<string, string> = {};
  for (const part of m[1]!.matchAll(/(\w+)="([^"]*)"/g)) fields[part[1]!] = part[2]!;
  if (fields.username !== clientId) return { ok: false, reason: 'unknown client id' };
  if (fields.algorithm !== 'hmac-sha256') return { ok: false, reason: 'unsupported algorithm' };
  if (fields.headers !== 'date request-line') return { ok: false, reason: 'signed headers must be "date request-line"' };
  const date = req.headers.date;
  if (!date) return { ok: false, reason: 'no Date header' };
  const when = Date.parse(date);
  if (Number.isNaN(when) || Math.abs(nowMs - when) > HMAC_CLOCK_SKEW_S * 1000) return { ok: false, reason: 'Date outside the clock window' };
  const signingString = `date: ${date}\n${req.method} ${req.rawPath} HTTP/1.1`;
  const expected = createHmac('sha256', secret).update(signingString, 'utf8').digest();
  let given: Buffer;
  try {
    given = Buffer.from(fields.signature ?? '', 'base64');
  } catch {
    return { ok: false, reason: 'signature not base64' };
  }
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature mismatch' };
  return { ok: true };
}

export function bearerToken(req: Req): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1]?.trim();
}
