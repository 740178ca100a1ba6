import { createHmac } from 'node:crypto';

// Mekari's HMAC scheme: the signed string is the Date header and the request line, exactly as sent.
/** How far the signed Date may be from the gateway's clock (qontak.md, "HMAC"). */
export const HMAC_WINDOW_S = 300;

export function hmacSigningString(date: string, method: string, pathWithQuery: string): string {
  return `date: ${date}\n${method.toUpperCase()} ${pathWithQuery} HTTP/1.1`;
}

export function hmacSignature(secret: string, date: string, method: string, pathWithQuery: string): string {
  return createHmac('sha256', secret).update(hmacSigningString(date, method, pathWithQuery)).digest('base64');
}

export function hmacAuthorization(clientId: string, signature: string): string {
  return `hmac username="${clientId}", algorithm="hmac-sha256", headers="date request-line", signature="${signature}"`;
}
