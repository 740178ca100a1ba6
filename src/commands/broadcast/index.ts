import { Option, type Command } from 'commander';
import type { Context } from '../../cli/context.js';
import { collect, examples, lazyAction, positiveInt } from '../../cli/command-kit.js';
import { InvalidArgumentError } from 'commander';

function rate(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(?:\/s)?$/.exec(v.trim());
  if (!m || Number(m[1]) <= 0) throw new InvalidArgumentError('--rate takes messages per second, e.g. 2/s or 0.5');
  return Number(m[1]);
}

export function registerBroadcast(program: Command, ctx: Context): void {
  const broadcast = program.command('broadcast').description('send a template to a list, a spreadsheet or one number; follow what was sent');
  broadcast
    .command('send')
    .description('send a template, after checking every recipient; never twice for the same idempotency key')
    .option('--template <name|id>', 'approved template to send (required unless --resume)')
    .option('--list <id>', 'a Qontak contact list')
    .option('--file <sheet>', 'a spreadsheet of contacts (.xlsx, .xls, .csv)')
    .option('--to <phone>', 'one number')
    .option('--to-name <name>', 'the name of --to (full_name)')
    .option('--channel <id>', 'channel (Qontak integration or Konekwa session); default: the profile\'s, else the only one')
    .option('--param <KEY=COLUMN|KEY=:text>', 'value of a placeholder: a column, or literal text after a colon (repeatable)', collect, [])
    .option('--language <code>', 'template language when the name exists in several')
    .option('--name <name>', 'broadcast name (default: template and date)')
    .option('--schedule <iso8601>', 'send later (Qontak list sends), e.g. 2026-12-01T09:00:00+07:00')
    .option('--idempotency-key <key>', 'refuse to send twice with this key (default: derived from template, target and parameters)')
    .option('--dry-run', 'check and show what would be sent; send nothing')
    .option('--skip-invalid', 'send to the valid recipients and report the invalid ones, instead of refusing')
    .addOption(new Option('--rate <n/s>', 'messages per second for a fan-out (Konekwa)').argParser(rate))
    .option('--concurrency <n>', 'requests in flight at once for a fan-out', positiveInt('--concurrency'))
    .option('--resume <id>', 'continue an interrupted fan-out from its journal')
    .option('--country <code>', 'country for numbers without one (default: profile, else ID)')
    .option('--sheet <name>', 'sheet of --file to read')
    .addHelpText(
      'after',
      examples(
        'wa-cli broadcast send --template order_update --file orders.xlsx --param 1=full_name --param 2=order_id --dry-run',
        'wa-cli broadcast send --template promo_nov --language id --list 534bd3d4-… --param 1=full_name --param 2=:20% --yes',
        'wa-cli broadcast send --template welcome_member --to 0812-3456-7890 --to-name Budi --param 1=full_name --yes',
        'wa-cli broadcast send --resume 20261122-abcd1234 --yes',
      ),
    )
    .action(lazyAction(ctx, () => import('./send.js')));
  broadcast
    .command('status')
    .description('counts per delivery status of one broadcast, with failure reasons')
    .argument('<id>', 'broadcast id (Qontak) or run id (Konekwa fan-out)')
    .addHelpText('after', examples('wa-cli broadcast status 98b463bc-a8f1-4f19-84df-ae62967ff795', 'wa-cli broadcast status 20261122-abcd1234 --json'))
    .action(lazyAction(ctx, () => import('./status.js')));
  broadcast
    .command('list')
    .description('recent broadcasts (Qontak), or the local fan-out runs (Konekwa)')
    .option('--since <date>', 'only those created since this date (YYYY-MM-DD or ISO 8601)')
    .option('--limit <n>', 'at most this many', positiveInt('--limit'), 20)
    .addHelpText('after', examples('wa-cli broadcast list', 'wa-cli broadcast list --since 2026-11-01 --json'))
    .action(lazyAction(ctx, () => import('./list.js')));
}
