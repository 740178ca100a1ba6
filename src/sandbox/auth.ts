// Authentication as the real services check it. HMAC is verified independently of the client's signer: the same
// published algorithm, a separate implementation, so a bug in one does not hide in the other.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Req } from './http-kit.js';

export const HMAC_CLOCK_SKEW_S = 300;

/** How the gateway treats the optional `Digest: SHA-256=<base64>` header Mekari's KB describes. */
export type DigestPolicy = 'ignore' | 'verify-if-present' | 'require';

export type HmacResult = { ok: true } | { ok: false; reason: string };

// RFC 7231 IMF-fixdate, what `new Date().toUTCString()` writes. The gateway compares the signed text byte for byte,
// so an ISO date that Date.parse would happily read is still a different string: refuse it here too.
const IMF_FIXDATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

/** `hmac username="…", algorithm="…", headers="…", signature="…"` → its fields; undefined when it is not that. */
export function parseHmacAuthorization(header: string | undefined): Record<string, string> | undefined {
  const m = /^hmac\s+(.+)$/i.exec(header ?? '');
  if (!m) return undefined;
  const fields: Record<string, string> = {};
  const rest = m[1]!.trim();
  const re = /\s*([A-Za-z]+)="([^"]*)"\s*(?:,|$)/y;
  let pos = 0;
  while (pos < rest.length) {
    re.lastIndex = pos;
    const f = re.exec(rest);
    if (!f) return undefined;
    fields[f[1]!.toLowerCase()] = f[2]!;
    pos = re.lastIndex;
  }
  return fields;
}

export function verifyHmac(req: Req, clientId: string, secret: string, nowMs: number, digest: DigestPolicy = 'verify-if-present'): HmacResult {
  const fields = parseHmacAuthorization(req.headers.authorization);
  if (!fields) return { ok: false, reason: 'no hmac authorization' };
  if (fields.username !== clientId) return { ok: false, reason: 'unknown client id' };
  if (fields.algorithm !== 'hmac-sha256') return { ok: false, reason: 'unsupported algorithm' };
  if (fields.headers !== 'date request-line') return { ok: false, reason: 'signed headers must be "date request-line"' };
  const date = req.headers.date;
  if (!date) return { ok: false, reason: 'no Date header' };
  if (!IMF_FIXDATE.test(date)) return { ok: false, reason: 'Date is not an RFC 7231 date' };
  const when = Date.parse(date);
  if (Number.isNaN(when) || Math.abs(nowMs - when) > HMAC_CLOCK_SKEW_S * 1000) return { ok: false, reason: 'Date outside the clock window' };
  const signingString = `date: ${date}\n${req.method} ${req.rawPath} HTTP/1.1`;
  const expected = createHmac('sha256', secret).update(signingString, 'utf8').digest();
  const sig = fields.signature ?? '';
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(sig)) return { ok: false, reason: 'signature not base64' };
  const given = Buffer.from(sig, 'base64');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'signature mismatch' };
  if (digest !== 'ignore') {
    const header = req.headers.digest;
    const hasBody = req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH';
    if (header === undefined) {
      if (digest === 'require' && hasBody) return { ok: false, reason: 'no Digest header' };
    } else {
      const want = `SHA-256=${createHash('sha256').update(req.body).digest('base64')}`;
      if (header !== want) return { ok: false, reason: 'Digest does not match the body' };
    }
  }
  return { ok: true };
}

export function bearerToken(req: Req): string | undefined {
  const m = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1]?.trim();
}
