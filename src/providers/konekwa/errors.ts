import type { ErrorReading } from '../http.js';

// Konekwa answers errors as {"error":{"code":"INVALID_REQUEST","message":"…","details":"…"}}.
export function readKonekwaError(status: number, body: unknown): ErrorReading {
  const b = (body ?? {}) as { error?: { code?: unknown; message?: unknown; details?: unknown }; __raw?: string };
  const e = b.error !== null && typeof b.error === 'object' ? b.error : undefined;
  // A 429 in any other words came from something in front of Konekwa (a proxy, a gateway), which may answer so after
  // the message was queued: only Konekwa's own refusal says nothing was done.
  const envelope = e !== undefined && typeof e.code === 'string';
  const doubt = status === 429 && !envelope ? { mayHaveActed: true } : {};
  if (!e) return { messages: b.__raw ? [b.__raw.replace(/\s+/g, ' ').trim()] : [], ...doubt };
  const parts = [typeof e.code === 'string' ? e.code : undefined, typeof e.message === 'string' ? e.message : undefined, typeof e.details === 'string' ? e.details : e.details ? shown(e.details) : undefined];
  return { messages: [parts.filter(Boolean).join(': ')], ...doubt };
}

/** Details that are not text, shortened; a body too deep to write out is said to be so. */
function shown(v: unknown): string {
  try {
    return JSON.stringify(v).slice(0, 300);
  } catch {
    return '(details too deep to show)';
  }
}
