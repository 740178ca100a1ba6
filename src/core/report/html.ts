// The delivery report as one self-contained HTML page: inline CSS and inline SVG only, no script, font, image or
// link to fetch (a Content-Security-Policy says so to the browser too). Every text that came from a server or a
// spreadsheet (names, reasons, statuses) is escaped. A Qontak broadcast's page is a delivery funnel; a Konekwa run's
// is the run's story, with no delivered or read, which Konekwa's documents give no way to know.
import { DELIVERY_STATUSES } from '../../providers/port.js';
import type { BroadcastReport, Milestone, ReportData, RunReportData, Timeline } from './collect.js';

export interface RenderOptions {
  /** A time as the reader's zone shows it ("2026-11-22 09:00:00 +07:00"). */
  formatTime: (epochMs: number) => string;
  generatedAt: number;
  version: string;
}

const esc = (v: string | number): string => String(v).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
const n = (v: number): string => v.toLocaleString('en-US');
const pct = (part: number, whole: number): string => (whole > 0 ? `${((part / whole) * 100).toFixed(1)}%` : '–');

const COLOURS: Record<Milestone | 'total' | 'unknown' | 'notSent' | 'queued', string> = {
  total: '#6b7280',
  sent: '#2563eb',
  delivered: '#16a34a',
  read: '#0d9488',
  failed: '#dc2626',
  unknown: '#d97706',
  notSent: '#9ca3af',
  queued: '#6b7280',
};

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;margin:2rem auto;max-width:960px;padding:0 1rem;color:#111827;background:#fff}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}
.meta{color:#4b5563;margin:0}
table{border-collapse:collapse;min-width:50%}th,td{border-bottom:1px solid #e5e7eb;padding:.35rem .75rem;text-align:left}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
svg{display:block;max-width:100%;height:auto}svg text{font-family:inherit;font-size:13px;fill:#111827}
.note{color:#6b7280;font-size:.9rem}footer{margin-top:3rem;color:#6b7280;font-size:.85rem}
`;

export function renderReport(d: ReportData, o: RenderOptions): string {
  const sections =
    d.kind === 'Konekwa run'
      ? [
          ['run', 'The run', runSection(d)],
          ['on-server', 'On the server', serverSection(d)],
          ['over-time', 'Messages over time', timeline(d.timeline, o, runTimes(d))],
          ['failures', 'Failures by reason', failures(d.reasons, d.story.failed + d.story.unknown, 'recipients', d.story.unknown > 0 ? 'Recipients in doubt (unknown) are listed with why.' : '')],
        ]
      : [
          ['funnel', 'Delivery funnel', funnelSvg(d)],
          ['over-time', 'Delivery over time', timeline(d.timeline, o, broadcastTimes(d))],
          ['failures', 'Failures by reason', failures(d.reasons, d.funnel.failed, 'failed', '')],
          ['numbers', 'The numbers', numbers(d)],
        ];
  return page(d, o, sections.map(([id, heading, body]) => `<section id="${id}">\n<h2>${heading}</h2>\n${body}\n</section>`).join('\n'));
}

function page(d: ReportData, o: RenderOptions, main: string): string {
  const title = `Delivery report: ${d.name}`;
  const created = d.createdAt ? Date.parse(d.createdAt) : NaN;
  const facts = [`${d.kind} ${d.id}`, d.template ? `template ${d.template}` : '', d.createdAt ? `created ${Number.isNaN(created) ? d.createdAt : o.formatTime(created)}` : '', `status ${d.status}`].filter(Boolean);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1 id="name">${esc(d.name)}</h1>
<p class="meta">${facts.map(esc).join(' · ')}</p>
</header>
<main>
${main}
</main>
<footer>Made by wa-cli ${esc(o.version)} on ${esc(o.formatTime(o.generatedAt))}. This page is self-contained: it loads nothing from anywhere.</footer>
</body>
</html>
`;
}

function funnelSvg(d: BroadcastReport): string {
  const rows: [string, Milestone | 'total', number][] = [
    ['Recipients', 'total', d.funnel.total],
    ['Sent', 'sent', d.funnel.sent],
    ['Delivered', 'delivered', d.funnel.delivered],
    ['Read', 'read', d.funnel.read],
    ['Failed', 'failed', d.funnel.failed],
  ];
  return barsSvg('funnel-chart', 'Delivery funnel', rows, d.funnel.total);
}

/** Horizontal bars, each its share of `whole`, with the count and the share beside it. */
function barsSvg(id: string, label: string, rows: [string, keyof typeof COLOURS, number][], whole: number): string {
  const width = 720;
  const left = 110;
  const barMax = 470;
  const rowH = 34;
  const bars = rows
    .map(([label, stage, count], i) => {
      const y = 10 + i * rowH;
      const w = whole > 0 ? (count / whole) * barMax : 0;
      return `<text x="0" y="${y + 17}">${label}</text><rect data-stage="${stage}" data-count="${count}" x="${left}" y="${y}" width="${w.toFixed(2)}" height="24" rx="3" fill="${COLOURS[stage]}"></rect><text x="${left + w + 8}" y="${y + 17}">${n(count)} (${pct(count, whole)})</text>`;
    })
    .join('\n');
  return `<svg id="${id}" role="img" aria-label="${label}: ${rows.map(([l, , c]) => `${l} ${c}`).join(', ')}" viewBox="0 0 ${width} ${10 + rows.length * rowH}" width="${width}" height="${10 + rows.length * rowH}">
${bars}
</svg>`;
}

/** A step a reader can name: 1, 5, 15 or 30 minutes, 1, 3, 6 or 12 hours, a day. */
const STEPS = [1, 5, 15, 30, 60, 180, 360, 720, 1440].map((m) => m * 60_000);
const MAX_BUCKETS = 60;

/** What a timeline says of itself: its chart's label, its note, and what it says when nothing carries a time. */
interface TimeWords {
  aria: string;
  note: (stepText: string) => string;
  none: string;
}

/** Qontak: every milestone an entry carries a time for. */
const broadcastTimes = (d: BroadcastReport): TimeWords => ({
  aria: 'Messages sent, delivered, read and failed over time',
  note: (step) => `Running totals in steps of ${step}${d.timeline.untimed ? `; ${n(d.timeline.untimed)} entr${d.timeline.untimed === 1 ? 'y carries' : 'ies carry'} no time and ${d.timeline.untimed === 1 ? 'is' : 'are'} counted only in the numbers below` : ''}.`,
  none: 'No entry of this log carries a time.',
});

/** Konekwa: the one time its listing gives, when the gateway queued each message. */
const runTimes = (d: RunReportData): TimeWords => {
  const u = d.timeline.untimed;
  const unlisted = u ? `; ${n(u)} sent message${u === 1 ? ' is' : 's are'} not listed by the gateway yet and carr${u === 1 ? 'ies' : 'y'} no time` : '';
  return {
    aria: "The run's sent messages over time, by when the gateway queued each",
    note: (step) => `Running totals of the run's sent messages by when the gateway queued each (the listing's created_at), in steps of ${step}${unlisted}.`,
    none: d.story.sent > 0 ? 'No message of this run is listed by the gateway yet, so none carries a time (Konekwa shows one only for messages it has listed).' : 'No message of this run was sent yet.',
  };
};

function timeline<S extends keyof typeof COLOURS>(t: Timeline<S>, o: RenderOptions, words: TimeWords): string {
  const series = t.series;
  const minutes = [...t.perMinute.keys()].sort((a, b) => a - b);
  if (minutes.length === 0) return `<p class="note">${words.none}</p>`;
  const first = minutes[0]!;
  const last = minutes.at(-1)!;
  const step = STEPS.find((s) => (last - first) / s < MAX_BUCKETS) ?? Math.ceil((last - first) / MAX_BUCKETS / 86_400_000) * 86_400_000;
  const start = Math.floor(first / step) * step;
  const buckets = Math.floor((last - start) / step) + 1;
  const per = Object.fromEntries(series.map((m) => [m, new Array<number>(buckets).fill(0)])) as Record<S, number[]>;
  for (const [minute, counts] of t.perMinute) for (const m of series) per[m][Math.floor((minute - start) / step)]! += counts[m];
  // Cumulative: how many had reached each milestone by the end of each period.
  const cum = Object.fromEntries(
    series.map((m) => {
      let sum = 0;
      return [m, per[m].map((v) => (sum += v))];
    }),
  ) as Record<S, number[]>;
  const top = Math.max(1, ...series.map((m) => cum[m].at(-1) ?? 0));
  const W = 720;
  const H = 260;
  const pad = { l: 56, r: 16, t: 12, b: 40 };
  // Point 0 is the start of the first period (nothing yet); point i + 1 the end of period i.
  const x = (i: number) => pad.l + (i / buckets) * (W - pad.l - pad.r);
  const y = (v: number) => pad.t + (1 - v / top) * (H - pad.t - pad.b);
  const lines = series.map(
    (m) => `<polyline data-milestone="${m}" data-final="${cum[m].at(-1) ?? 0}" fill="none" stroke="${COLOURS[m]}" stroke-width="2.5" points="${[0, ...cum[m]].map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ')}"></polyline>`,
  ).join('\n');
  const legend = series.map((m, i) => `<rect x="${pad.l + i * 120}" y="${H - 14}" width="12" height="12" fill="${COLOURS[m]}"></rect><text x="${pad.l + i * 120 + 18}" y="${H - 4}">${m}</text>`).join('');
  const stepText = step >= 86_400_000 ? `${step / 86_400_000} day(s)` : step >= 3_600_000 ? `${step / 3_600_000} hour(s)` : `${step / 60_000} minute(s)`;
  const rows = new Array<number>(buckets)
    .fill(0)
    .map((_, i) => `<tr><td>${esc(o.formatTime(start + i * step))}</td>${series.map((m) => `<td class="num">${n(per[m][i]!)}</td>`).join('')}</tr>`)
    .filter((_, i) => series.some((m) => per[m][i]! > 0));
  return `<svg id="time-chart" role="img" aria-label="${words.aria}, in steps of ${stepText}" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}">
<line x1="${pad.l}" y1="${y(0)}" x2="${W - pad.r}" y2="${y(0)}" stroke="#9ca3af"></line><line x1="${pad.l}" y1="${pad.t}" x2="${pad.l}" y2="${y(0)}" stroke="#9ca3af"></line>
<text x="${pad.l - 8}" y="${y(top) + 4}" text-anchor="end">${n(top)}</text><text x="${pad.l - 8}" y="${y(0) + 4}" text-anchor="end">0</text>
<text x="${pad.l}" y="${y(0) + 16}">${esc(o.formatTime(start))}</text><text x="${W - pad.r}" y="${y(0) + 16}" text-anchor="end">${esc(o.formatTime(start + buckets * step))}</text>
${lines}
${legend}
</svg>
<p class="note">${words.note(stepText)}</p>
<details><summary>Per period</summary>
<table id="per-period"><thead><tr><th>from</th>${series.map((m) => `<th class="num">${m}</th>`).join('')}</tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
</details>`;
}

/** Reasons with their counts (a column headed `counted`), each as its share of `of`; `note` follows the table. */
function failures(reasons: { reason: string; count: number }[], of: number, counted: string, note: string): string {
  if (reasons.length === 0) return '<p class="note">No message failed.</p>';
  const rows = reasons.map((r) => `<tr><td class="reason">${esc(r.reason)}</td><td class="num" data-count="${r.count}">${n(r.count)}</td><td class="num">${pct(r.count, of)}</td></tr>`);
  return `<table id="reasons"><thead><tr><th>reason</th><th class="num">${counted}</th><th class="num">share</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>${note ? `\n<p class="note">${note}</p>` : ''}`;
}

/** The run's story: the counts every command gives a run, as bars and as a table. */
function runSection(d: RunReportData): string {
  const s = d.story;
  const rows: [string, 'total' | 'sent' | 'failed' | 'unknown' | 'notSent', number][] = [
    ['Recipients', 'total', s.total],
    ['Sent', 'sent', s.sent],
    ['Failed', 'failed', s.failed],
    ['Unknown', 'unknown', s.unknown],
    ['Not sent', 'notSent', s.notSent],
  ];
  const table = rows
    .slice(1)
    .concat([rows[0]!])
    .map(([label, key, count]) => `<tr data-status="${key}"><th>${key === 'total' ? 'total' : label.toLowerCase()}</th><td class="num" data-count="${count}">${n(count)}</td><td class="num">${key === 'total' ? (s.total > 0 ? '100.0%' : '–') : pct(count, s.total)}</td></tr>`);
  const resume = d.resume ? `\n<p class="note" id="resume">Not finished: continue it with <code>${esc(d.resume)}</code> (or the same send command again).</p>` : '';
  return `${barsSvg('run-chart', 'The run', rows, s.total)}
<table id="counts"><thead><tr><th>recipients</th><th class="num">count</th><th class="num">share</th></tr></thead><tbody>
${table.join('\n')}
</tbody></table>
<p class="note">Sent: the gateway accepted the message. Unknown: the answer was lost, and the gateway's listing has not shown yet whether the message was taken. Not sent: no message for them reached the gateway; continuing the run sends them.</p>${resume}`;
}

/** How far the accepted messages got, as the gateway lists them; nothing past SENT is documented. */
function serverSection(d: RunReportData): string {
  const v = d.server;
  const others = v.statuses.filter((x) => x.status !== 'QUEUED' && x.status !== 'SENT');
  const rows: [string, 'queued' | 'sent' | 'unknown' | 'notListed', number][] = [
    ['QUEUED', 'queued', v.queued],
    ['SENT', 'sent', v.sent],
    [`a status no document shows${others.length ? ` (${others.map((x) => `${x.status} ${x.count}`).join(', ')})` : ''}`, 'unknown', v.unknown],
    ['not listed yet', 'notListed', v.notListed],
  ];
  const table = rows.map(([label, key, count]) => `<tr data-status="${key}"><th>${esc(label)}</th><td class="num" data-count="${count}">${n(count)}</td><td class="num">${pct(count, d.story.sent)}</td></tr>`);
  return `<table id="on-server"><thead><tr><th>status on the gateway</th><th class="num">sent messages</th><th class="num">share</th></tr></thead><tbody>
${table.join('\n')}
</tbody></table>
<p class="note" id="no-delivery">Konekwa documents only the QUEUED and SENT statuses, so whether a message was delivered or read cannot be known: this page shows no delivered, no read and no delivery rate.</p>`;
}

function numbers(d: BroadcastReport): string {
  const rows = DELIVERY_STATUSES.map((s) => `<tr data-status="${s}"><th>${s}</th><td class="num" data-count="${d.counts[s]}">${n(d.counts[s])}</td><td class="num">${pct(d.counts[s], d.total)}</td></tr>`);
  rows.push(`<tr data-status="total"><th>total</th><td class="num" data-count="${d.total}">${n(d.total)}</td><td class="num">${d.total > 0 ? '100.0%' : '–'}</td></tr>`);
  return `<table id="counts"><thead><tr><th>status now</th><th class="num">messages</th><th class="num">share</th></tr></thead><tbody>
${rows.join('\n')}
</tbody></table>
<p class="note">Each message is counted once, in the status it has now. The funnel counts a read message as sent and delivered too.</p>`;
}
