import type { ErrorReading } from '../http.js';

// Konekwa answers errors as {"error":{"code":"INVALID_REQUEST","message":"…","details":"…"}}.
export function readKonekwaError(_status: number, body: unknown): ErrorReading {
  const b = (body ?? {}) as { error?: { code?: string; message?: string; details?: unknown }; __raw?: string };
  const e = b.error;
  if (!e) return { messages: b.__raw ? [b.__raw.replace(/\s+/g, ' ').trim()] : [] };
  const parts = [e.code, e.message, typeof e.details === 'string' ? e.details : e.details ? JSON.stringify(e.details) : undefined];
  return { messages: [parts.filter(Boolean).join(': ')] };
}
