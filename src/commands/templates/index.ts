import { Option, type Command } from 'commander';
import type { Context } from '../../cli/context.js';
import { examples, lazyAction, positiveInt } from '../../cli/command-kit.js';

export function registerTemplates(program: Command, ctx: Context): void {
  const templates = program.command('templates').description('WhatsApp templates: list, show, lint locally, create');
  templates
    .command('list')
    .description('templates on the account')
    .option('--status <status>', 'APPROVED, PENDING, REJECTED…')
    .option('--category <category>', 'MARKETING, UTILITY, AUTHENTICATION')
    .option('--query <text>', 'name contains')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'), 50)
    .option('--all', 'every template, following all pages')
    .addHelpText('after', examples('wa-cli templates list --status APPROVED', 'wa-cli templates list --all --json > templates.json'))
    .action(lazyAction(ctx, () => import('./list.js')));
  templates
    .command('show')
    .description('a template as the recipient sees it, with its status and placeholders')
    .argument('<name|id>')
    .option('--language <code>', 'which language, when the name exists in several')
    .addHelpText('after', examples('wa-cli templates show order_update --language id'))
    .action(lazyAction(ctx, () => import('./show.js')));
  templates
    .command('validate')
    .description('check templates against every WhatsApp and Qontak rule, locally; exit 1 on any error')
    .argument('[paths...]', 'JSON files, folders (searched for *.json), or - for standard input')
    .option('--remote', 'check every template on the account')
    .addOption(new Option('--format <format>', 'output').choices(['text', 'json', 'github']).default('text'))
    .addHelpText(
      'after',
      examples('wa-cli templates validate templates/', 'wa-cli templates validate promo.json --format github', 'wa-cli templates validate --remote --json'),
    )
    .action(lazyAction(ctx, () => import('./validate.js')));
  templates
    .command('create')
    .description('validate a template file, then submit it for review; refuses on errors')
    .argument('<file>', 'a Meta/Qontak create JSON, or a Konekwa {name, content}')
    .option('--dry-run', 'validate and show what would be submitted')
    .addHelpText('after', examples('wa-cli templates create promo_nov.json --dry-run', 'wa-cli templates create promo_nov.json'))
    .action(lazyAction(ctx, () => import('./create.js')));
}
