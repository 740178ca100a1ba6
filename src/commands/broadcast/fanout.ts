// The Konekwa side of broadcast send: a journaled fan-out through core/fanout, with progress on stderr and the
// reconciliation of unknown outcomes through GET /v1/messages.
import { randomBytes } from 'node:crypto';
import type { Context } from '../../cli/context.js';
import { ConflictError, ExitCode, NotFoundError, SilentExit } from '../../errors.js';
import { formatElapsed, spinner } from '../../cli/progress.js';
import type { Channel, Provider, RemoteTemplate, SentMessage } from '../../providers/port.js';
import type { Recipient } from '../../core/send/plan.js';
import type { Ledger, LedgerRecord } from '../../core/send/ledger.js';
import { createRun, Journal, readHeader, readPlan, replay, type PlannedRecipient, type RunHeader } from '../../core/fanout/journal.js';
import { runFanout, type FanoutSummary, type Reconciled } from '../../core/fanout/engine.js';
import type { SendOptions } from './send.js';

/** One message a second: a WhatsApp Web number that floods gets banned; raise it with --rate when you know better. */
export const DEFAULT_RATE = 1;
export const DEFAULT_CONCURRENCY = 2;

function newRunId(now: number): string {
  return `${new Date(now).toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-')}-${randomBytes(3).toString('hex')}`;
}

export async function startFanout(
  ctx: Context,
  provider: Provider,
  a: { template: RemoteTemplate; channel: Channel; recipients: () => Iterable<Recipient>; count: number; key: string; name: string; ledger: Ledger; opts: SendOptions; ledgerBase: Omit<LedgerRecord, 'status'> },
): Promise<void> {
  const header: RunHeader = {
    v: 1,
    runId: newRunId(ctx.now()),
    createdAt: new Date(ctx.now()).toISOString(),
    provider: provider.name,
    name: a.name,
    templateId: a.template.id,
    templateName: a.template.name,
    channelId: a.channel.id,
    idempotencyKey: a.key,
    total: a.count,
  };
  const journal = await createRun(ctx.paths.stateDir, header, planned(a.recipients()));
  await a.ledger.record({ ...a.ledgerBase, status: 'started', runId: header.runId });
  ctx.out.info(`Run ${header.runId}: ${header.total} recipient(s). If it stops, continue with \`wa-cli broadcast send --resume ${header.runId}\`.`);
  const result = await drive(ctx, provider, journal, a.opts);
  if (!result.interrupted && result.unknown === 0 && result.notSent === 0) {
    await a.ledger.record({ ...a.ledgerBase, at: new Date(ctx.now()).toISOString(), status: 'done', runId: header.runId });
  }
  await finish(ctx, journal, result);
}

export async function resumeFanout(ctx: Context, runId: string, opts: SendOptions): Promise<void> {
  let found: { dir: string; header: RunHeader };
  try {
    found = await readHeader(ctx.paths.stateDir, runId);
  } catch {
    throw new NotFoundError(`No fan-out run "${runId}" in ${ctx.paths.stateDir}.`, { hint: '`wa-cli broadcast list` shows the runs on this machine.' });
  }
  const provider = await ctx.provider();
  if (provider.name !== found.header.provider) throw new ConflictError(`Run ${runId} was sent through ${found.header.provider}, but this profile uses ${provider.name}.`);
  const { takeLock } = await import('./send.js');
  const release = await takeLock(ctx, found.header.idempotencyKey, 'Not resuming');
  try {
    const state = await replay(found.dir, found.header.total);
    const journal = await Journal.open(found.dir, found.header, state);
    const left = found.header.total - state.count('sent') - state.count('failed');
    ctx.out.info(`Resuming run ${runId}: ${state.count('sent')} sent, ${state.count('failed')} failed, ${left} to check or send.`);
    if (left > 0) {
      const go = await ctx.prompter.confirm(`Continue sending to up to ${left} recipient(s)?`, { flag: '--yes' });
      if (!go) throw new SilentExit(ExitCode.failed);
    }
    const result = await drive(ctx, provider, journal, opts);
    if (!result.interrupted && result.unknown === 0 && result.notSent === 0) {
      const { Ledger } = await import('../../core/send/ledger.js');
      const h = found.header;
      await new Ledger(ctx.paths.stateDir).record({ key: h.idempotencyKey, at: new Date(ctx.now()).toISOString(), status: 'done', provider: h.provider, template: h.templateName, target: `run:${h.runId}`, recipients: h.total, runId: h.runId });
    }
    await finish(ctx, journal, result);
  } finally {
    await release();
  }
}

async function drive(ctx: Context, provider: Provider, journal: Journal, opts: SendOptions): Promise<FanoutSummary> {
  const h = journal.header;
  const spin = await spinner(ctx, `Sending 0/${h.total}`);
  try {
    const result = await runFanout({
      journal,
      plan: () => readPlan(journal.dir),
      send: (r) => provider.sendMessage({ sessionId: h.channelId, recipient: r.phone, templateId: h.templateId, placeholderValues: r.values }),
      reconcile: (rs) => reconcileKonekwa(provider, h, rs),
      rate: opts.rate ?? DEFAULT_RATE,
      concurrency: opts.concurrency ?? DEFAULT_CONCURRENCY,
      now: ctx.now,
      sleep: (ms) => ctx.sleep(ms).catch(() => undefined),
      signal: ctx.signal,
      settleMs: Number(ctx.env.WA_RECONCILE_SETTLE_MS ?? 2000),
      onProgress: (p) => {
        const rate = p.elapsedMs > 0 ? (p.done / p.elapsedMs) * 1000 : 0;
        const eta = rate > 0 ? formatElapsed(((p.total - p.done) / rate) * 1000) : '—';
        spin.update(`Sending ${p.done}/${p.total} · ${rate.toFixed(1)}/s · ETA ${eta}${p.failed ? ` · ${p.failed} failed` : ''}`);
      },
    });
    spin.stop();
    return result;
  } catch (err) {
    spin.stop();
    throw err;
  } finally {
    await journal.close();
  }
}

function* planned(recipients: Iterable<Recipient>): Generator<PlannedRecipient> {
  let i = 0;
  for (const r of recipients) yield { i: i++, row: r.row, phone: r.phone, name: r.name, values: r.values };
}

/**
 * Finds messages the server accepted for these recipients since the run began: same recipient, template and values.
 * Only a match counts as sent; anything else is sent again (that is safe: the server has no record of it).
 */
export async function reconcileKonekwa(provider: Provider, h: RunHeader, rs: PlannedRecipient[]): Promise<Map<number, Reconciled>> {
  const wanted = new Map<string, PlannedRecipient>();
  for (const r of rs) wanted.set(r.phone, r);
  const out = new Map<number, Reconciled>();
  const since = new Date(Date.parse(h.createdAt) - 60_000).toISOString();
  const same = (m: SentMessage, r: PlannedRecipient) =>
    m.templateId === h.templateId && JSON.stringify(Object.entries(m.placeholderValues ?? {}).sort()) === JSON.stringify(Object.entries(r.values).sort());
  let pageToken: string | undefined;
  do {
    const page = await provider.listMessages({ sessionId: h.channelId, since, ...(pageToken ? { pageToken } : {}) });
    for (const m of page.messages) {
      const r = wanted.get(m.recipient);
      if (r && same(m, r) && !out.has(r.i)) out.set(r.i, { found: true, messageId: m.id });
    }
    pageToken = page.next ?? undefined;
  } while (pageToken);
  for (const r of rs) if (!out.has(r.i)) out.set(r.i, { found: false });
  return out;
}

async function finish(ctx: Context, journal: Journal, r: FanoutSummary): Promise<void> {
  const h = journal.header;
  const state = journal.state;
  // Every recipient of a small run; of a large one, those that were not sent.
  const rows: { i: number; row: number; phone: string; name: string; state: string; messageId: string; error: string }[] = [];
  for await (const p of readPlan(journal.dir)) {
    const s = state.get(p.i);
    if (s === 'sent' && h.total > 50) continue;
    rows.push({ i: p.i, row: p.row, phone: p.phone, name: p.name, state: s === 'sending' ? 'unknown' : s === 'pending' ? 'not-sent' : s, messageId: state.messageIds.get(p.i) ?? '', error: state.errors.get(p.i) ?? '' });
  }
  const json = { runId: h.runId, total: r.total, sent: r.sent, failed: r.failed, unknown: r.unknown, notSent: r.notSent, interrupted: r.interrupted, reconcileError: r.reconcileError ?? null, elapsedMs: r.elapsedMs, recipients: rows.map((x) => ({ row: x.row, phone: x.phone, name: x.name, state: x.state, messageId: x.messageId || null, error: x.error || null })) };
  if (ctx.globals.json) ctx.out.json(json);
  else {
    await ctx.out.list(rows, [
      { header: 'ROW', value: (x) => x.row },
      { header: 'PHONE', value: (x) => x.phone },
      { header: 'NAME', value: (x) => x.name },
      { header: 'STATE', value: (x) => x.state },
      { header: 'MESSAGE ID', value: (x) => x.messageId },
      { header: 'ERROR', value: (x) => x.error },
    ]);
    ctx.out.info(`Run ${h.runId}: ${r.sent} sent, ${r.failed} failed, ${r.unknown} unknown, ${r.notSent} not sent, of ${r.total} (${formatElapsed(r.elapsedMs)}).`);
  }
  if (r.reconcileError) ctx.out.warn(`could not check unknown outcomes with the server (${r.reconcileError}).`);
  if (r.interrupted) {
    ctx.out.info(`Interrupted. Continue with \`wa-cli broadcast send --resume ${h.runId}\`; nobody already sent will be sent again.`);
    throw new SilentExit(ExitCode.interrupted);
  }
  if (r.unknown > 0 || r.notSent > 0) ctx.out.info(`Some outcomes are not settled. Run \`wa-cli broadcast send --resume ${h.runId}\` later to check and finish.`);
  if (r.failed > 0 || r.unknown > 0 || r.notSent > 0) throw new SilentExit(ExitCode.failed);
}
