import path from 'node:path';
import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { SilentExit, ExitCode } from '../../errors.js';
import { checkOutPath } from '../../util/atomic-file.js';
import { annotate } from '../../cli/github.js';
import { contactCheckJson } from '../../cli/present/contact-check.js';
import { loadContacts, problemLines, summaryLine } from './load.js';

export async function run(ctx: Context, opts: Options<'validate'>, file: string): Promise<void> {
  const out = opts.out === undefined ? undefined : path.resolve(ctx.cwd, opts.out);
  // Checked before reading the contacts: a wrong --out should not wait for a large file to be validated.
  if (out) await checkOutPath(out, { shown: opts.out!, extensions: ['.csv', '.xlsx'] });
  const report = await loadContacts(ctx, file, opts);
  if (out) {
    const { writeClean } = await import('../../core/contacts/index.js');
    await writeClean(report, out);
  }
  if (ctx.globals.json) ctx.out.json(contactCheckJson(report, opts.out));
  else {
    for (const line of problemLines(report)) ctx.out.print(line);
    ctx.out.print(summaryLine(report));
    if (opts.out) ctx.out.info(`Wrote ${report.valid.length} clean rows to ${opts.out}.`);
  }
  // Under GitHub Actions each finding is also an annotation on its row of the file.
  annotate(ctx, report.problems.map((p) => ({ level: p.severity, file, line: p.rowNumber, title: p.code, message: p.message })));
  // Any finding printed as error: fails the check, whether it sits on a row, a header or the whole file.
  if (report.errors > 0) throw new SilentExit(ExitCode.failed);
}
