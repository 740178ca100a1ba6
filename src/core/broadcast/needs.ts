// What a send of a template needs beyond its body values, and the header/button parameters built from
// --media URL|FILE, --media-filename and --button INDEX=COLUMN|INDEX=:text. Pure, except resolveMedia (upload).
import path from 'node:path';
import type { MediaHeaderParams, Provider, RemoteTemplate, UploadFile, UrlButtonParam } from '../../providers/port.js';
import { parseParams, type ParamSource } from './params.js';
import { hasPlaceholder } from '../placeholders.js';

/** "an IMAGE header", "a VIDEO header". */
const article = (word: string): string => (/^[aeiou]/i.test(word) ? 'an' : 'a');

export type MediaFormat = MediaHeaderParams['format'];
const MEDIA: readonly MediaFormat[] = ['IMAGE', 'VIDEO', 'DOCUMENT'];

export interface SendNeeds {
  /** The header's media format, or null for no header or a TEXT header. */
  media: MediaFormat | null;
  /** Positions (0-based, as Qontak numbers buttons) of URL buttons whose url holds a placeholder. */
  urlButtons: number[];
}

/** What a send of this template needs: a media header to fill, dynamic URL buttons to fill. */
export function sendNeeds(t: Pick<RemoteTemplate, 'header' | 'buttons'>): SendNeeds {
  const format = (t.header?.format ?? '').toUpperCase() as MediaFormat;
  const urlButtons: number[] = [];
  t.buttons.forEach((b, i) => {
    if ((b.type ?? '').toUpperCase() === 'URL' && hasPlaceholder(b.url ?? '')) urlButtons.push(i);
  });
  return { media: MEDIA.includes(format) ? format : null, urlButtons };
}

/** One line for `templates show`: what a send needs, or that it needs nothing beyond body values. */
export function describeNeeds(n: SendNeeds): string {
  const parts: string[] = [];
  if (n.media) parts.push(`${article(n.media)} ${n.media.toLowerCase()} header (--media URL|FILE${n.media === 'DOCUMENT' ? ', --media-filename NAME' : ''})`);
  for (const i of n.urlButtons) parts.push(`URL button ${i} (--button ${i}=COLUMN or ${i}=:text)`);
  return parts.length ? `a send needs ${parts.join(' and ')}` : 'a send needs body values only';
}

export interface MediaFlags {
  /** --media: an http(s) URL or a local file. */
  media?: string;
  mediaFilename?: string;
  /** --button values, as typed. */
  buttons?: readonly string[];
}

export type MediaSource = { kind: 'url'; url: string } | { kind: 'file'; path: string };

export interface SendExtras {
  media: { format: MediaFormat; source: MediaSource; filename: string } | null;
  buttons: { index: number; source: ParamSource }[];
}

/** Either what to send, or one line naming the flag that is missing or wrong. */
export type ExtrasPlan = { ok: true; extras: SendExtras } | { ok: false; flag: '--media' | '--media-filename' | '--button'; problem: string };

/**
 * Checks the flags against what the template needs, before any paid call (the dry run runs it too). A template with a
 * media header without --media, or a dynamic URL button without --button, is refused; so are flags it cannot use.
 */
export function planExtras(templateName: string, needs: SendNeeds, flags: MediaFlags): ExtrasPlan {
  let media: SendExtras['media'] = null;
  if (needs.media) {
    if (!flags.media) {
      return { ok: false, flag: '--media', problem: `Template "${templateName}" has ${article(needs.media)} ${needs.media} header: pass --media URL|FILE (WhatsApp fails every message without it).` };
    }
    const source: MediaSource = /^https?:\/\//i.test(flags.media) ? { kind: 'url', url: flags.media } : { kind: 'file', path: flags.media };
    const fromSource = source.kind === 'url' ? decodeURIComponent(new URL(source.url).pathname.split('/').pop() ?? '') : path.basename(source.path);
    const filename = flags.mediaFilename ?? fromSource;
    if (needs.media === 'DOCUMENT' && !filename) {
      return { ok: false, flag: '--media-filename', problem: `Template "${templateName}" sends a document: pass --media-filename NAME (the URL names no file).` };
    }
    media = { format: needs.media, source, filename };
  } else if (flags.media) {
    return { ok: false, flag: '--media', problem: `Template "${templateName}" has no media header; drop --media.` };
  } else if (flags.mediaFilename) {
    return { ok: false, flag: '--media-filename', problem: `--media-filename needs --media, and template "${templateName}" has no media header.` };
  }

  let sources: Map<string, ParamSource>;
  try {
    sources = parseParams(flags.buttons ?? []);
  } catch (err) {
    return { ok: false, flag: '--button', problem: (err as Error).message.replace(/--param/g, '--button').replace(/KEY/g, 'INDEX') };
  }
  const buttons: SendExtras['buttons'] = [];
  for (const [key, source] of sources) {
    const index = Number(key);
    if (!/^\d+$/.test(key) || !needs.urlButtons.includes(index)) {
      const has = needs.urlButtons.length ? `its dynamic URL buttons are ${needs.urlButtons.join(', ')}` : 'it has no dynamic URL button';
      return { ok: false, flag: '--button', problem: `--button ${key}: template "${templateName}" has no dynamic URL button ${key}; ${has}.` };
    }
    buttons.push({ index, source });
  }
  const missing = needs.urlButtons.filter((i) => !sources.has(String(i)));
  if (missing.length) {
    return { ok: false, flag: '--button', problem: `Template "${templateName}" has a dynamic URL button ${missing.join(', ')}: pass --button ${missing[0]}=COLUMN or ${missing[0]}=:text.` };
  }
  return { ok: true, extras: { media, buttons } };
}

/** The header parameters, in the shape of Qontak's direct-send example: params url, then filename. */
export function headerParams(format: MediaFormat, url: string, filename: string): MediaHeaderParams {
  return { format, params: [{ key: 'url', value: url }, ...(filename ? [{ key: 'filename' as const, value: filename }] : [])] };
}

/**
 * Button parameters. Direct sends: `valueOf` gives the recipient's value of a column. Bulk sends: omit it, and a
 * column goes as its name for the server to fill per contact, as body parameters do [inferred for buttons].
 */
export function buttonParams(buttons: SendExtras['buttons'], valueOf?: (column: string) => string): UrlButtonParam[] {
  return buttons.map((b) => ({
    index: String(b.index),
    type: 'url' as const,
    value: b.source.kind === 'literal' ? b.source.text : valueOf ? valueOf(b.source.column) : b.source.column,
  }));
}

const MIME: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.mp4': 'video/mp4',
  '.3gp': 'video/3gpp',
  '.pdf': 'application/pdf',
};

/**
 * The header of a planned media: a URL as is, a local file uploaded first (POST /file_uploader) and its URL used.
 * Call it once per send, after the confirmation and before the first send request.
 */
export async function resolveMedia(
  media: NonNullable<SendExtras['media']>,
  deps: { provider: Pick<Provider, 'media' | 'name'>; readFile: (p: string) => Promise<Buffer> },
): Promise<MediaHeaderParams> {
  if (media.source.kind === 'url') return headerParams(media.format, media.source.url, media.filename);
  if (!deps.provider.media) throw new Error(`${deps.provider.name} has no media upload; pass --media as an https URL.`);
  const data = await deps.readFile(media.source.path);
  const file: UploadFile = { filename: path.basename(media.source.path), contentType: MIME[path.extname(media.source.path).toLowerCase()] ?? 'application/octet-stream', data };
  const uploaded = await deps.provider.media.upload(file);
  return headerParams(media.format, uploaded.url, media.filename || uploaded.filename);
}
