import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { ExitCode, OperationError, SilentExit } from '../../errors.js';
import { formatElapsed, spinner } from '../../cli/progress.js';
import { need, type ContactList, type ContactListsPort } from '../../providers/port.js';
import type { ContactReport } from '../../core/contacts/index.js';
import { upload, type Upload as UploadResult } from '../../cli/present/contact-list.js';
import { loadContacts, problemLines, summaryLine } from './load.js';

export async function run(ctx: Context, opts: Options<'upload'>, file: string): Promise<void> {
  const provider = await ctx.provider();
  const lists = need(provider, 'lists', 'contact lists', 'Send straight from the spreadsheet with `wa-cli broadcast send --file SHEET`.');
  const report = await loadContacts(ctx, file, opts);
  const results = await uploadValidated(ctx, lists, report, opts);
  // A failed list is a failure; one still processing when --timeout ran out is worth trying again later.
  if (results.some((l) => l.kind === 'failed' || l.kind === 'unknown')) throw new SilentExit(ExitCode.failed);
  if (results.some((l) => l.kind === 'timeout')) throw new SilentExit(ExitCode.transient);
}

/** The upload flow shared with `broadcast send --file`: refuse invalid rows, plan files, upload, wait, report. */
export async function uploadValidated(ctx: Context, lists: ContactListsPort, report: ContactReport, opts: Options<'upload'>): Promise<UploadResult[]> {
  const { planUploads, waitForList, listOutcomeProblem } = await import('../../core/contacts/list-upload.js');
  for (const line of problemLines(report)) ctx.out.info(line);
  ctx.out.info(summaryLine(report));
  // A rejected column or an empty file is not fixed by skipping rows: refuse rather than upload without it.
  if (report.fileErrors > 0) {
    throw new OperationError(`${report.file} has ${report.fileErrors} error(s) in its header or layout (listed above); nothing was uploaded.`, {
      hint: 'Fix the headers named above; --skip-invalid skips invalid rows, never columns.',
    });
  }
  if (report.invalid > 0 && !opts.skipInvalid) {
    throw new OperationError(`${report.file} has ${report.invalid} invalid row(s); nothing was uploaded.`, {
      hint: 'Fix them (`wa-cli contacts validate FILE --out clean.xlsx` writes the valid rows), or pass --skip-invalid to upload only the valid ones.',
    });
  }
  const plans = await planUploads(report, opts.name, lists.rowLimits, opts.split === true, (m) => ctx.out.warn(m));
  const results: UploadResult[] = [];
  for (const plan of plans) {
    if (opts.dryRun) {
      ctx.out.info(`Dry run: would upload "${plan.name}" as ${plan.file.filename} (${plan.rows} contacts, ${plan.file.data.length} bytes).`);
      results.push({ kind: 'dry-run', name: plan.name, rows: plan.rows });
      continue;
    }
    let first: ContactList;
    try {
      first = await lists.upload(plan.name, plan.file);
    } catch (err) {
      if (!ctx.signal.aborted) throw err;
      throw ctx.stopped(`Stopped while "${plan.name}" was being uploaded: the server may or may not have made the list (\`wa-cli contacts lists\` shows it); nothing after it was uploaded.`);
    }
    if (opts.wait === false) {
      ctx.out.info(`Uploaded "${plan.name}": list ${first.id}, ${first.progress}. Check with \`wa-cli contacts show ${first.id}\`.`);
      results.push({ kind: 'queued', list: first, name: plan.name, rows: plan.rows });
      continue;
    }
    const spin = spinner(ctx, `Processing "${plan.name}"…`);
    let outcome: Awaited<ReturnType<typeof waitForList>>;
    try {
      outcome = await waitForList(lists, first, {
        timeoutMs: opts.timeout,
        now: ctx.now,
        sleep: (ms) => ctx.sleep(ms),
        onTick: (l, elapsed) => spin.update(`Processing "${plan.name}" (${l.progress}, ${formatElapsed(elapsed)})`),
      });
    } catch (err) {
      spin.stop();
      if (!ctx.signal.aborted) throw err;
      // Stopped while the server processes: the upload itself is done, and the server goes on without us.
      const later = plans.slice(plans.indexOf(plan) + 1).map((p) => `"${p.name}"`);
      throw ctx.stopped(
        `Stopped waiting: "${plan.name}" was uploaded as list ${first.id} and the server goes on processing it; check it with \`wa-cli contacts show ${first.id}\`.${later.length ? ` Not uploaded: ${later.join(', ')}.` : ''}`,
      );
    }
    const l = outcome.list;
    if (outcome.kind === 'success') spin.succeed(`"${plan.name}" ready: ${l.succeeded} contacts added, ${l.failed} failed.`);
    else if (outcome.kind === 'failed' || outcome.kind === 'unknown') {
      spin.stop();
      ctx.out.error(listOutcomeProblem(outcome));
    }
    else spin.stop();
    if (outcome.kind === 'timeout') {
      ctx.out.warn(`"${plan.name}" (list ${l.id}) is still ${l.progress} after ${formatElapsed(opts.timeout)}; check later with \`wa-cli contacts show ${l.id}\`.`);
    }
    if (l.errorMessages && !(typeof l.errorMessages === 'object' && Object.keys(l.errorMessages as object).length === 0)) {
      ctx.out.info(`Server messages: ${JSON.stringify(l.errorMessages)}`);
    }
    results.push({ kind: outcome.kind, list: l, name: plan.name, rows: plan.rows });
  }
  await ctx.out.list(results, upload.columns(ctx.time), results.map((r) => upload.toJson(r, ctx.time)));
  return results;
}

