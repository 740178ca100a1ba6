import type { Context } from '../../cli/context.js';
import type { Options } from './command.js';
import { ExitCode, SilentExit, UsageError } from '../../errors.js';
import { readAllStdin } from '../../cli/stdin.js';
import { readTemplatePath } from '../../core/template-files.js';
import { annotateLines } from '../../cli/github.js';
import { formatGithub, formatText, fromRemote, parseTemplates, ruleSeverities, validateTemplate, type Result, type TemplateDoc } from '../../core/template-rules/index.js';
import { templateCheckJson } from '../../cli/present/template-check.js';

export async function run(ctx: Context, opts: Options<'validate'>, ...paths: string[]): Promise<void> {
  if (paths.length === 0 && !opts.remote) throw new UsageError('Give template files or folders to check, - for standard input, or --remote.');
  const docs: TemplateDoc[] = [];
  for (const p of paths) {
    if (p === '-') {
      docs.push(...parseTemplates(await readAllStdin(ctx, 'validate -'), '<stdin>'));
      continue;
    }
    docs.push(...(await readTemplatePath(ctx.cwd, p)));
  }
  const provider = opts.remote ? await ctx.provider() : undefined;
  if (provider) for await (const t of provider.listTemplates({})) docs.push(fromRemote(t, provider.name));
  const config = await ctx.config();
  const severities = ruleSeverities((await config.profile(ctx.profileName))?.rules, `${config.file} profile "${ctx.profileName}" rules`, (m) => ctx.out.warn(m));
  const results: Result[] = docs.map((doc) => ({ doc, findings: validateTemplate(doc, severities) }));
  const report = templateCheckJson(results);
  const format = ctx.globals.json ? 'json' : opts.format;
  if (format === 'json') ctx.out.json(report);
  else for (const line of format === 'github' ? formatGithub(results) : formatText(results)) ctx.out.print(line);
  // Under GitHub Actions the findings are annotations too (on stderr, so stdout stays as asked).
  if (format !== 'github') annotateLines(ctx, formatGithub(results));
  ctx.out.info(`${docs.length} template(s) checked: ${report.errors} error(s), ${report.warnings} warning(s).`);
  if (report.errors > 0) throw new SilentExit(ExitCode.failed);
}
