import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { ConflictError, InputError, OperationError, UsageError, WaError } from '../../errors.js';
import { formatText, parseTemplates, ruleSeverities, validateTemplate } from '../../core/template-rules/index.js';
import { awaitReview } from './wait.js';
import { createRequest } from '../../core/template-plan.js';
import { createDryRunJson, template } from '../../cli/present/template.js';

export async function run(ctx: Context, opts: Options<'create'>, file: string): Promise<void> {
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
  const request = createRequest(doc);
  if (opts.dryRun) {
    ctx.out.info(`Dry run: "${doc.name}" passes every rule (${findings.length} warning(s)); nothing was submitted. It would submit:`);
    // The payload on stdout, so it can be piped or saved; with --json wrapped with the outcome.
    if (ctx.globals.json) ctx.out.json(createDryRunJson(request, findings.length));
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
        hint: `Pick another name, see it with \`wa-cli templates show ${doc.name}\`, or wait for its review with \`wa-cli templates wait ${doc.name}${doc.language ? ` --language ${doc.language}` : ''}\`.`,
        cause: e,
      });
    }
    throw e;
  }
  if (opts.wait) {
    ctx.out.info(`Submitted "${created.name}" (${created.id}): waiting for the review.`);
    return awaitReview(ctx, provider, created, opts);
  }
  if (ctx.globals.json) return ctx.out.json(template.toJson(created, ctx.time));
  ctx.out.print(`${created.id}\t${created.name}\t${created.status}`);
  ctx.out.info(`Submitted "${created.name}": ${created.status}. Check it with \`wa-cli templates show ${created.name}\`.`);
}

