// Secrets out of everything the HTTP client logs and reports: credential headers in --verbose lines, and any secret a
// server echoes back in an error's text, before it is shown, logged or journaled.
const REDACTED = '[redacted]';

export function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) {
    out[k] = /^(authorization|x-api-key|cookie|proxy-authorization)$/i.test(k) ? REDACTED : v;
  }
  return out;
}

/** `text` with every one of `secrets` (longest first) replaced by [redacted]. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
  return out;
}

/** A parsed body with `redactSecrets` applied to every string in it, keys included. */
export function redactDeep(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') return redactSecrets(value, secrets);
  if (Array.isArray(value)) return value.map((v) => redactDeep(v, secrets));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[redactSecrets(k, secrets)] = redactDeep(v, secrets);
    return out;
  }
  return value;
}

/**
 * The secrets to take out, longest first (so a secret inside another is not left half shown): the credentials, the
 * passwords of the proxy and base URLs (as written and decoded), and any the caller knows besides. Very short values
 * would blank out ordinary words and are left alone.
 */
export function secretList(credentials: readonly string[], passwords: readonly (string | undefined)[]): string[] {
  const all = [...credentials, ...passwords.filter((p): p is string => !!p).flatMap((p) => [p, decoded(p)])];
  return [...new Set(all.filter((s) => s.length >= 4))].sort((a, b) => b.length - a.length);
}

function decoded(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
