// multipart/form-data for uploads, encoded by undici's FormData: the bytes are made once, before the first attempt,
// so every attempt sends (and an HMAC Digest covers) the same body.
import { FormData, Response } from 'undici';

export type FormPart = { name: string; value: string } | { name: string; filename: string; contentType: string; data: Buffer };

export async function encodeForm(parts: readonly FormPart[]): Promise<{ contentType: string; data: Buffer }> {
  const form = new FormData();
  for (const p of parts) {
    if ('data' in p) form.append(p.name, new Blob([p.data], { type: p.contentType }), p.filename);
    else form.append(p.name, p.value);
  }
  const encoded = new Response(form);
  return { contentType: encoded.headers.get('content-type')!, data: Buffer.from(await encoded.arrayBuffer()) };
}
