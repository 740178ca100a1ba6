// Reading one sheet of an .xlsx without building a workbook: the sheet's XML is inflated once and its <row>/<c>
// elements scanned on each pass over the rows, so only the shared strings and the row in hand are held as objects.
// The cells come out as SheetJS (dense, no stubs, no dates) would give them: same t, v and, where anything reads
// it, the same w (numbers through SheetJS's own formatter with the number format of the cell's style).
// Anything this reader does not know (xlsb, Strict OOXML, ISO date cells, a part missing or damaged) returns
// undefined and the caller hands the file to SheetJS, which reports damage in its own words.
import { inflateRawSync } from 'node:zlib';
import { sheetJs } from './sheetjs.js';
import type { Cell } from './types.js';
import type { ZipEntry } from './zip.js';

export interface XlsxSheet {
  sheetNames: string[];
  sheetName: string;
  /** Rows in file order as [0-based row index, cells by 0-based column]; rows without a stored cell are left out. */
  scan(): Generator<RowCells>;
}

export type RowCells = [number, (Cell | undefined)[]];

/** A part inflated past the bound; the caller turns it into the refusal naming the file. */
export class InflateBoundError extends Error {}

/** A sheet whose rows cannot be read in order (the caller names the file). */
export class SheetXmlError extends Error {}

/**
 * The sheet `wanted` (the first when omitted) of the zip `entries`, or undefined when SheetJS must read the file.
 * A sheet name that does not exist is not an error here: the caller gets the names and reports it.
 */
export function openXlsxSheet(entries: ZipEntry[], wanted: string | undefined, maxInflatedBytes: number): XlsxSheet | { sheetNames: string[]; missing: true } | undefined {
  const parts = new Map<string, ZipEntry>();
  for (const e of entries) {
    if (e.flags & 1 || (e.method !== 0 && e.method !== 8)) return undefined;
    parts.set(e.name.replace(/^\/+/, '').toLowerCase(), e);
  }
  let budget = maxInflatedBytes;
  const inflate = (name: string): Buffer | undefined => {
    const e = parts.get(name.toLowerCase());
    if (!e) return undefined;
    let out: Buffer;
    try {
      out = e.method === 0 ? Buffer.from(e.data.buffer, e.data.byteOffset, e.data.byteLength) : inflateRawSync(e.data, { maxOutputLength: Math.max(1, budget) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new InflateBoundError();
      return undefined;
    }
    budget -= out.length;
    if (budget < 0) throw new InflateBoundError();
    return out;
  };
  const text = (name: string): string | undefined => inflate(name)?.toString('utf8');

  const rootRels = text('_rels/.rels');
  const wbPath = (rootRels && relTargets(rootRels, '', /\/officeDocument$/)[0]?.target) ?? 'xl/workbook.xml';
  if (!wbPath.endsWith('.xml')) return undefined; // xlsb and friends
  const wbXml = text(wbPath);
  if (!wbXml || wbXml.includes('purl.oclc.org/ooxml')) return undefined; // Strict OOXML: SheetJS knows its namespaces
  const wbDir = wbPath.includes('/') ? wbPath.slice(0, wbPath.lastIndexOf('/') + 1) : '';
  const wbRels = text(`${wbDir}_rels/${wbPath.slice(wbDir.length)}.rels`);
  if (!wbRels) return undefined;
  const rels = relTargets(wbRels, wbDir);

  const sheets: { name: string; id: string }[] = [];
  for (const m of wbXml.matchAll(/<(?:\w+:)?sheet\b([^>]*)>/g)) {
    const attrs = m[1]!;
    const name = /\bname\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(attrs);
    const id = /\b\w+:id\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(attrs);
    if (!name || !id) return undefined;
    sheets.push({ name: unescapeXml(name[1] ?? name[2]!), id: id[1] ?? id[2]! });
  }
  const sheetNames = sheets.map((s) => s.name);
  if (sheets.length === 0) return undefined;
  const chosen = wanted === undefined ? sheets[0]! : sheets.find((s) => s.name === wanted);
  if (!chosen) return { sheetNames, missing: true };
  const rel = rels.find((r) => r.id === chosen.id);
  if (!rel || !/\/worksheet$/.test(rel.type) || !rel.target.endsWith('.xml')) return undefined;

  const sharedRel = rels.find((r) => /\/sharedStrings$/.test(r.type));
  const stylesRel = rels.find((r) => /\/styles$/.test(r.type));
  const sheetXml = inflate(rel.target);
  if (!sheetXml) return undefined;
  // ISO 8601 date cells (t="d") are rare outside Strict files; SheetJS converts them.
  if (sheetXml.includes(' t="d"') || sheetXml.includes(" t='d'")) return undefined;
  let strings: string[] = [];
  if (sharedRel) {
    const sst = inflate(sharedRel.target);
    if (!sst) return undefined;
    strings = sharedStrings(sst);
  }
  const formats = stylesRel ? cellFormats(text(stylesRel.target) ?? '') : [];
  return { sheetNames, sheetName: chosen.name, scan: () => scanSheet(sheetXml, strings, formats) };
}

// ---------- package parts ----------

interface Rel {
  id: string;
  type: string;
  target: string;
}

function relTargets(xml: string, baseDir: string, type?: RegExp): Rel[] {
  const out: Rel[] = [];
  for (const m of xml.matchAll(/<(?:\w+:)?Relationship\b([^>]*)>/g)) {
    const attr = (n: string): string => {
      const a = new RegExp(`\\b${n}\\s*=\\s*(?:"([^"]*)"|'([^']*)')`).exec(m[1]!);
      return a ? unescapeXml(a[1] ?? a[2]!) : '';
    };
    const t = attr('Type');
    if (type && !type.test(t)) continue;
    const target = attr('Target');
    out.push({ id: attr('Id'), type: t, target: resolvePath(target.startsWith('/') ? target.slice(1) : baseDir + target) });
  }
  return out;
}

function resolvePath(p: string): string {
  const out: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '..') out.pop();
    else if (seg !== '.' && seg !== '') out.push(seg);
  }
  return out.join('/');
}

// Builtin formats SheetJS loads for ids its table lacks (its SSFImplicit): the w of a number in such a cell.
const IMPLICIT: Record<number, string> = {
  5: '"$"#,##0_);\\("$"#,##0\\)',
  6: '"$"#,##0_);[Red]\\("$"#,##0\\)',
  7: '"$"#,##0.00_);\\("$"#,##0.00\\)',
  8: '"$"#,##0.00_);[Red]\\("$"#,##0.00\\)',
  41: '_(* #,##0_);_(* \\(#,##0\\);_(* "-"_);_(@_)',
  42: '_("$"* #,##0_);_("$"* \\(#,##0\\);_("$"* "-"_);_(@_)',
  43: '_(* #,##0.00_);_(* \\(#,##0.00\\);_(* "-"??_);_(@_)',
  44: '_("$"* #,##0.00_);_("$"* \\(#,##0.00\\);_("$"* "-"??_);_(@_)',
  59: '0',
  60: '0.00',
  61: '#,##0',
  62: '#,##0.00',
  63: '"$"#,##0_);\\("$"#,##0\\)',
  64: '"$"#,##0_);[Red]\\("$"#,##0\\)',
  65: '"$"#,##0.00_);\\("$"#,##0.00\\)',
  66: '"$"#,##0.00_);[Red]\\("$"#,##0.00\\)',
  67: '0%',
  68: '0.00%',
  69: '# ?/?',
  70: '# ??/??',
  73: 'd-mmm-yy',
  74: 'd-mmm',
  75: 'mmm-yy',
  76: 'h:mm',
  77: 'h:mm:ss',
  78: 'm/d/yy h:mm',
};
for (const id of [23, 24, 25, 26]) IMPLICIT[id] = 'General';
for (const id of [27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58, 71, 72]) IMPLICIT[id] = 'm/d/yy';
for (const id of [32, 33, 34, 35]) IMPLICIT[id] = 'h:mm:ss';

// SheetJS's builtin table as it stands before any workbook adds its own formats to it.
// SheetJS's own table of builtin formats, read on first use (SheetJS is loaded only for workbooks).
let builtin: Record<number, string> | undefined;
const builtinFormats = (): Record<number, string> => (builtin ??= { ...(sheetJs().SSF.get_table() as Record<number, string>) });

/** The number format of each cell style (index = the cell's s), '' for General. */
function cellFormats(xml: string): string[] {
  const custom = new Map<number, string>();
  const numFmts = /<(?:\w+:)?numFmts\b[^>]*>([\s\S]*?)<\/(?:\w+:)?numFmts>/.exec(xml);
  if (numFmts) {
    for (const m of numFmts[1]!.matchAll(/<(?:\w+:)?numFmt\b([^>]*)>/g)) {
      const id = /\bnumFmtId\s*=\s*["'](\d+)["']/.exec(m[1]!);
      const code = /\bformatCode\s*=\s*(?:"([^"]*)"|'([^']*)')/.exec(m[1]!);
      if (id && code) custom.set(Number(id[1]), unescapeXml(code[1] ?? code[2]!));
    }
  }
  const xfs = /<(?:\w+:)?cellXfs\b[^>]*>([\s\S]*?)<\/(?:\w+:)?cellXfs>/.exec(xml);
  const out: string[] = [];
  if (!xfs) return out;
  for (const m of xfs[1]!.matchAll(/<(?:\w+:)?xf\b([^>]*)>/g)) {
    const id = Number(/\bnumFmtId\s*=\s*["'](\d+)["']/.exec(m[1]!)?.[1] ?? 0);
    out.push(id === 0 ? '' : (custom.get(id) ?? builtinFormats()[id] ?? IMPLICIT[id] ?? 'General'));
  }
  return out;
}

// ---------- text ----------

const ENTITY = /&(?:quot|apos|gt|lt|amp|#x?([\da-fA-F]+));/gi;
const NAMED: Record<string, string> = { '&quot;': '"', '&apos;': "'", '&gt;': '>', '&lt;': '<', '&amp;': '&' };
const XCODE = /_x([\da-fA-F]{4})_/gi;

/** XML entities, Excel's _xHHHH_ escapes and CRLF → LF, as SheetJS decodes cell text. */
function unescapeXml(s: string): string {
  if (s.includes('&')) {
    s = s.replace(ENTITY, (all, code: string | undefined) => NAMED[all] ?? String.fromCodePoint(parseInt(code!, all.includes('x') || all.includes('X') ? 16 : 10)));
  }
  if (s.includes('_x') || s.includes('_X')) s = s.replace(XCODE, (_m, c: string) => String.fromCharCode(parseInt(c, 16)));
  return s.includes('\r\n') ? s.replace(/\r\n/g, '\n') : s;
}

function xmlText(xml: Buffer, from: number, to: number): string {
  const s = xml.toString('utf8', from, to);
  if (s.includes('<![CDATA[')) return s.replace(/<!\[CDATA\[([\s\S]*?)\]\]>|([^<]+)/g, (_m, cdata: string | undefined, plain: string | undefined) => cdata ?? unescapeXml(plain!));
  return unescapeXml(s);
}

// ---------- the byte scanner ----------

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const COLON = 0x3a;

/** Index just past the local name of the tag whose '<' (or '</') ends at `at`, and that name's start. */
function localName(xml: Buffer, at: number): [number, number] {
  let start = at;
  let i = at;
  for (;;) {
    const b = xml[i];
    if (b === undefined || b === GT || b === SLASH || b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) break;
    if (b === COLON) start = i + 1;
    i++;
  }
  return [start, i];
}

function isName(xml: Buffer, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  for (let k = 0; k < name.length; k++) if (xml[start + k] !== name.charCodeAt(k)) return false;
  return true;
}

/** The value of attribute `name` inside the tag [from, to), or undefined. */
function attr(xml: Buffer, from: number, to: number, name: string): string | undefined {
  const n = name.length;
  for (let i = from; i < to - n; i++) {
    const prev = xml[i - 1];
    if ((prev === 0x20 || prev === 0x09 || prev === 0x0a || prev === 0x0d) && isName(xml, i, i + n, name)) {
      let j = i + n;
      while (xml[j] === 0x20) j++;
      if (xml[j] !== 0x3d) continue;
      j++;
      while (xml[j] === 0x20) j++;
      const q = xml[j];
      if (q !== 0x22 && q !== 0x27) continue;
      const end = xml.indexOf(q, j + 1);
      if (end < 0 || end > to) return undefined;
      return xml.toString('latin1', j + 1, end);
    }
  }
  return undefined;
}

/** The end of the element opened by the tag ending at `gt` (index past its closing tag). */
function skipElement(xml: Buffer, gt: number, selfClosing: boolean, name: string): number {
  if (selfClosing) return gt + 1;
  let at = gt + 1;
  let depth = 1;
  for (;;) {
    const lt = xml.indexOf(LT, at);
    if (lt < 0) return xml.length;
    const close = xml[lt + 1] === SLASH;
    const [s, e] = localName(xml, close ? lt + 2 : lt + 1);
    const end = xml.indexOf(GT, e);
    if (end < 0) return xml.length;
    if (isName(xml, s, e, name)) {
      if (close) depth--;
      else if (xml[end - 1] !== SLASH) depth++;
      if (depth === 0) return end + 1;
    }
    at = end + 1;
  }
}

/** The text of an <si> or <is> body: its <t> elements joined, phonetic runs (<rPh>) left out. */
function richText(xml: Buffer, from: number, to: number): string {
  let out = '';
  let at = from;
  while (at < to) {
    const lt = xml.indexOf(LT, at);
    if (lt < 0 || lt >= to) break;
    if (xml[lt + 1] === SLASH) {
      at = xml.indexOf(GT, lt) + 1;
      continue;
    }
    const [s, e] = localName(xml, lt + 1);
    const gt = xml.indexOf(GT, e);
    const selfClosing = xml[gt - 1] === SLASH;
    if (isName(xml, s, e, 't')) {
      if (selfClosing) {
        at = gt + 1;
        continue;
      }
      const close = xml.indexOf('</', gt + 1);
      out += xmlText(xml, gt + 1, close);
      at = xml.indexOf(GT, close) + 1;
    } else if (isName(xml, s, e, 'rPh')) {
      at = skipElement(xml, gt, selfClosing, 'rPh');
    } else at = gt + 1;
  }
  return out;
}

function sharedStrings(xml: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  for (;;) {
    const lt = xml.indexOf(LT, at);
    if (lt < 0) break;
    if (xml[lt + 1] === SLASH || xml[lt + 1] === 0x3f || xml[lt + 1] === 0x21) {
      at = xml.indexOf(GT, lt) + 1;
      continue;
    }
    const [s, e] = localName(xml, lt + 1);
    const gt = xml.indexOf(GT, e);
    if (gt < 0) break;
    if (isName(xml, s, e, 'si')) {
      const end = skipElement(xml, gt, xml[gt - 1] === SLASH, 'si');
      out.push(xml[gt - 1] === SLASH ? '' : richText(xml, gt + 1, end));
      at = end;
    } else at = gt + 1;
  }
  return out;
}

const ERRORS: Record<string, number> = {
  '#NULL!': 0x00,
  '#DIV/0!': 0x07,
  '#VALUE!': 0x0f,
  '#REF!': 0x17,
  '#NAME?': 0x1d,
  '#NUM!': 0x24,
  '#N/A': 0x2a,
  '#GETTING_DATA': 0x2b,
  '#WTF?': 0xff,
};

/** A number as SheetJS shows it: General for style 0, else the style's format through SheetJS's formatter. */
function shown(v: number, format: string): string {
  if (format === '') return (v | 0) === v ? v.toString(10) : (sheetJs().SSF.format('General', v) as string);
  return sheetJs().SSF.format(format, v) as string;
}

function* scanSheet(xml: Buffer, strings: string[], formats: string[]): Generator<RowCells> {
  let at = xml.indexOf('<sheetData');
  if (at < 0) {
    // A prefixed namespace (<x:sheetData>): find it by its local name.
    const m = /<\w+:sheetData\b/.exec(xml.toString('latin1', 0, Math.min(xml.length, 1 << 16)));
    at = m ? m.index : xml.length;
  }
  let rowIndex = -1;
  let col = -1;
  let groupRow = -1;
  let cells: (Cell | undefined)[] = [];
  for (;;) {
    const lt = xml.indexOf(LT, at);
    if (lt < 0) break;
    const close = xml[lt + 1] === SLASH;
    const [s, e] = localName(xml, close ? lt + 2 : lt + 1);
    const gt = xml.indexOf(GT, e);
    if (gt < 0) break;
    at = gt + 1;
    const len = e - s;
    if (close) {
      if (len === 9 && isName(xml, s, e, 'sheetData')) break;
      continue;
    }
    if (len === 3 && isName(xml, s, e, 'row')) {
      const r = attr(xml, e, gt, 'r');
      rowIndex = r !== undefined ? parseInt(r, 10) - 1 : rowIndex + 1;
      col = -1;
      continue;
    }
    if (len !== 1 || xml[s] !== 0x63 /* c */) continue;
    // A cell: where it is, its type and style.
    const ref = attr(xml, e, gt, 'r');
    let cellRow = rowIndex;
    if (ref !== undefined) {
      let c = 0;
      let k = 0;
      for (; k < ref.length; k++) {
        const ch = ref.charCodeAt(k) - 64;
        if (ch < 1 || ch > 26) break;
        c = c * 26 + ch;
      }
      col = c - 1;
      if (k < ref.length) cellRow = parseInt(ref.slice(k), 10) - 1;
    } else col++;
    const t = attr(xml, e, gt, 't');
    const style = attr(xml, e, gt, 's');
    // The value: <v> or, for inline strings, <is>; <f> and anything else skipped. A cell without one is left out
    // below when it is a number or a shared string (a stub), kept as SheetJS keeps it when it is typed otherwise.
    let vFrom = -1;
    let vTo = -1;
    let inline: string | undefined;
    for (let open = xml[gt - 1] !== SLASH; open; ) {
      const lt2 = xml.indexOf(LT, at);
      if (lt2 < 0) {
        at = xml.length;
        break;
      }
      const close2 = xml[lt2 + 1] === SLASH;
      const [s2, e2] = localName(xml, close2 ? lt2 + 2 : lt2 + 1);
      const gt2 = xml.indexOf(GT, e2);
      if (gt2 < 0) {
        at = xml.length;
        break;
      }
      at = gt2 + 1;
      if (close2) {
        if (e2 - s2 === 1 && xml[s2] === 0x63) open = false;
        continue;
      }
      const self2 = xml[gt2 - 1] === SLASH;
      if (e2 - s2 === 1 && xml[s2] === 0x76 /* v */) {
        if (self2) continue;
        vFrom = gt2 + 1;
        vTo = xml.indexOf(LT, vFrom);
        at = xml.indexOf(GT, vTo) + 1;
      } else if (isName(xml, s2, e2, 'is')) {
        const end = skipElement(xml, gt2, self2, 'is');
        inline = self2 ? '' : richText(xml, gt2 + 1, end);
        at = end;
      } else at = skipElement(xml, gt2, self2, xml.toString('latin1', s2, e2));
    }
    let cell: Cell;
    const hasV = vFrom >= 0 && vTo > vFrom;
    if (t === undefined || t === 'n') {
      if (!hasV) continue;
      const v = parseFloat(xml.toString('latin1', vFrom, vTo));
      cell = { t: 'n', v, w: shown(v, formats[style === undefined ? 0 : Number(style)] ?? '') };
    } else if (t === 's') {
      if (!hasV) continue; // an empty <v> is no value for SheetJS either
      const index = parseInt(xml.toString('latin1', vFrom, vTo), 10);
      const v = strings[index];
      if (v === undefined) throw new SheetXmlError(`cell ${ref ?? ''} refers to shared string ${index}, which the file does not hold`);
      cell = { t: 's', v };
    } else if (t === 'str') {
      cell = { t: 's', v: hasV ? xmlText(xml, vFrom, vTo) : '' };
    } else if (t === 'inlineStr') {
      cell = { t: 's', v: inline ?? '' };
    } else if (t === 'b') {
      const raw = hasV ? xml.toString('latin1', vFrom, vTo) : '';
      const v = raw === '1' || raw === 'true';
      cell = { t: 'b', v, w: v ? 'TRUE' : 'FALSE' };
    } else if (t === 'e') {
      const w = hasV ? xmlText(xml, vFrom, vTo) : undefined;
      cell = { t: 'e', v: w === undefined ? undefined : ERRORS[w], w };
    } else {
      cell = { t: t as Cell['t'], v: hasV ? xmlText(xml, vFrom, vTo) : undefined };
    }
    if (cellRow !== groupRow) {
      if (groupRow >= 0 && cells.length > 0) yield [groupRow, cells];
      groupRow = cellRow;
      cells = [];
    }
    cells[col] = cell;
  }
  if (groupRow >= 0 && cells.length > 0) yield [groupRow, cells];
}

