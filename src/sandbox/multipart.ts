// A multipart/form-data parser, as strict as a Rails server: a malformed body is a 400, not a guess.
export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export function parseMultipart(contentType: string | undefined, body: Buffer): FormPart[] | undefined {
  const m = /^multipart\/form-data;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  if (!m) return undefined;
  const boundary = Buffer.from(`--${m[1] ?? m[2]}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(boundary);
  if (pos !== 0) return undefined;
  for (;;) {
    pos += boundary.length;
    if (body.subarray(pos, pos + 2).toString() === '--') return parts; // closing boundary
    if (body.subarray(pos, pos + 2).toString() !== '\r\n') return undefined;
    pos += 2;
    const headerEnd = body.indexOf('\r\n\r\n', pos);
    if (headerEnd < 0) return undefined;
    const headers = body.subarray(pos, headerEnd).toString('utf8').split('\r\n');
    const next = body.indexOf(Buffer.concat([Buffer.from('\r\n'), boundary]), headerEnd + 4);
    if (next < 0) return undefined;
    const part: FormPart = { name: '', data: body.subarray(headerEnd + 4, next) };
    for (const h of headers) {
      const [k, ...rest] = h.split(':');
      const v = rest.join(':').trim();
      if (/^content-disposition$/i.test(k!.trim())) {
        part.name = /\bname="([^"]*)"/.exec(v)?.[1] ?? '';
        const star = /\bfilename\*=(?:UTF-8|utf-8)''([^;]+)/.exec(v)?.[1];
        const fn = star ?? /\bfilename="([^"]*)"/.exec(v)?.[1];
        if (fn !== undefined) part.filename = safeDecode(fn);
      } else if (/^content-type$/i.test(k!.trim())) part.contentType = v;
    }
    parts.push(part);
    pos = next + 2;
  }
}

// Browsers and undici percent-encode some characters in filenames; a stray % is kept as it is.
function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Minimal RFC 4180 CSV: what an upload sends. Returns rows of strings. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const t = text.replace(/^\uFEFF/, '');
  const delimiter = (t.split(/\r?\n/)[0] ?? '').split(';').length > (t.split(/\r?\n/)[0] ?? '').split(',').length ? ';' : ',';
  for (let i = 0; i < t.length; i++) {
    const c = t[i]!;
    if (quoted) {
      if (c === '"') {
        if (t[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && t[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows.filter((r) => r.some((v) => v !== ''));
}
