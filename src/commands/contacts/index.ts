import { Option, type Command } from 'commander';
import type { Context } from '../../cli/context.js';
import { examples, lazyAction, parseDuration, positiveInt } from '../../cli/command-kit.js';

const country = () => new Option('--country <code>', 'country for numbers written without one (ISO code; default: profile, else ID)');
const sheet = () => new Option('--sheet <name>', 'sheet to read (default: the first)');

export function registerContacts(program: Command, ctx: Context): void {
  const contacts = program.command('contacts').description('contact-list spreadsheets: validate, normalise, upload, list');
  contacts
    .command('validate')
    .description('check a spreadsheet (.xlsx, .xls, .csv) row by row; --out writes the cleaned file')
    .argument('<file>', 'spreadsheet to check')
    .addOption(country())
    .addOption(sheet())
    .option('--out <file>', 'write the valid rows, normalised, to this .xlsx or .csv')
    .addHelpText('after', examples('wa-cli contacts validate customers.xlsx', 'wa-cli contacts validate export.csv --out clean.csv', 'wa-cli contacts validate list.xlsx --json | jq .problems'))
    .action(lazyAction(ctx, () => import('./validate.js')));
  contacts
    .command('upload')
    .description('validate, then upload as a Qontak contact list and wait until it is processed')
    .argument('<file>', 'spreadsheet to upload')
    .requiredOption('--name <name>', 'name of the new contact list')
    .addOption(country())
    .addOption(sheet())
    .option('--skip-invalid', 'upload the valid rows and report the rest, instead of refusing')
    .option('--split', 'split a list larger than one upload allows into numbered lists')
    .option('--no-wait', 'print the list id and return without waiting for processing')
    .option('--timeout <duration>', 'how long to wait for processing', parseDuration('--timeout'), 600_000)
    .option('--dry-run', 'do everything but the upload')
    .addHelpText('after', examples('wa-cli contacts upload customers.xlsx --name nov-promo', 'wa-cli contacts upload big.csv --name q4 --split --timeout 20m'))
    .action(lazyAction(ctx, () => import('./upload.js')));
  contacts
    .command('lists')
    .description('list the contact lists on the account (Qontak)')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'), 50)
    .option('--all', 'every list, following all pages')
    .addHelpText('after', examples('wa-cli contacts lists', 'wa-cli contacts lists --all --json'))
    .action(lazyAction(ctx, () => import('./lists.js')));
  contacts
    .command('show')
    .description('show one contact list: progress, counts, variables, errors')
    .argument('<list-id>')
    .addHelpText('after', examples('wa-cli contacts show 534bd3d4-5395-46a9-bfbb-353f3a7721be'))
    .action(lazyAction(ctx, () => import('./show.js')));
}
