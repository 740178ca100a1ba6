import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../../cli/context.js';
import { ConflictError, OperationError, TransientError, UsageError, WaError } from '../../errors.js';
import { InputError } from '../../core/input-error.js';
import { formatText, parseTemplates, ruleSeverities, validateTemplate } from '../../core/template-rules/index.js';

export async function run(ctx: Context, opts: { dryRun?: boolean; wait?: boolean; timeout?: number; interval?: number }, file: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path.resolve(ctx.cwd, file), 'utf8');
  } catch {
    throw new InputError(`${file}: cannot read the file.`);
  }
  const docs = parseTemplates(text, file);
  if (docs.length !== 1) throw new UsageError(`${file} holds ${docs.length} templates; create takes one at a time.`);
  const doc = docs[0]!;
  const config = await ctx.config();
  const severities = ruleSeverities((await config.profile(ctx.profileName))?.rules, `${config.file} profile "${ctx.profileName}" rules`, (m) => ctx.out.warn(m));
  const findings = validateTemplate(doc, severities);
  for (const line of formatText([{ doc, findings }])) ctx.out.info(line);
  const errors = findings.filter((f) => f.severity === 'error').length;
  if (errors > 0) throw new OperationError(`Not submitted: ${doc.name || file} has ${errors} error(s); fix them first.`);
  const request = {
    name: doc.name,
    language: doc.language ?? '',
    category: doc.category ?? '',
    body: doc.body ?? '',
    ...(doc.header ? { header: doc.header } : {}),
    ...(doc.footer !== undefined ? { footer: doc.footer } : {}),
    buttons: doc.buttons,
    ...(doc.examples ? { bodyExamples: doc.examples } : {}),
  };
  if (opts.dryRun) {
    ctx.out.info(`Dry run: "${doc.name}" passes every rule (${findings.length} warning(s)); nothing was submitted. It would submit:`);
    // The payload on stdout, so it can be piped or saved; with --json wrapped with the outcome.
    if (ctx.globals.json) ctx.out.json({ dryRun: true, name: doc.name, warnings: findings.length, payload: request });
    else ctx.out.print(JSON.stringify(request, null, 2));
    return;
  }
  const provider = await ctx.provider();
  const { categoryProblem } = await import('../../core/template-review.js');
  const badCategory = await categoryProblem(provider, request.category);
  if (badCategory) throw new OperationError(badCategory, { hint: '`wa-cli templates create FILE --dry-run` checks the file offline; the category list is the account\'s.' });
  let created: import('../../providers/port.js').RemoteTemplate;
  try {
    created = await provider.createTemplate(request);
  } catch (e) {
    // Qontak answers a taken name with 422 "Name has already been taken…": a conflict, not a failure of the file.
    if (e instanceof WaError && !(e instanceof ConflictError) && /already (?:been )?taken|already exists/i.test(e.message)) {
      throw new ConflictError(`A template named "${doc.name}" already exists in ${doc.language || 'this language'}.`, {
        hint: `Pick another name, or see it with \`wa-cli templates show ${doc.name}\`.`,
        cause: e,
      });
    }
    throw e;
  }
  if (opts.wait) return waitFor(ctx, provider, created, opts);
  if (ctx.globals.json) return ctx.out.json(created.raw);
  ctx.out.print(`${created.id}\t${created.name}\t${created.status}`);
  ctx.out.info(`Submitted "${created.name}": ${created.status}. Check it with \`wa-cli templates show ${created.name}\`.`);
}

/** Exit 0 approved, 1 rejected (with the reason when the API gives one), 6 still in review at the timeout. */
async function waitFor(ctx: Context, provider: import('../../providers/port.js').Provider, created: import('../../providers/port.js').RemoteTemplate, opts: { timeout?: number; interval?: number }): Promise<void> {
  const { waitForReview } = await import('../../core/template-review.js');
  ctx.out.info(`Submitted "${created.name}" (${created.id}): waiting for the review.`);
  const r = await waitForReview(provider, created, { timeoutMs: opts.timeout ?? 3_600_000, intervalMs: opts.interval ?? 30_000, now: ctx.now, sleep: (ms) => ctx.sleep(ms) });
  const t = r.template;
  if (ctx.globals.json) ctx.out.json({ id: t.id, name: t.name, status: t.status, outcome: r.kind, reason: r.reason ?? null });
  else ctx.out.print(`${t.id}\t${t.name}\t${t.status}`);
  if (r.kind === 'approved') return ctx.out.info(`"${t.name}" is approved: it can be sent.`);
  if (r.kind === 'rejected') {
    throw new OperationError(`"${t.name}" was ${t.status.toLowerCase()}: ${r.reason ?? 'the API gives no reason (see the template in Meta Business Manager or Qontak)'}.`, {
      hint: '`wa-cli templates validate` checks a file against the rules reviewers apply.',
    });
  }
  throw new TransientError(`"${t.name}" is still ${t.status} after the timeout; nothing is wrong yet.`, { hint: `Check later with \`wa-cli templates show ${t.name}\`, or wait longer with --timeout.` });
}
