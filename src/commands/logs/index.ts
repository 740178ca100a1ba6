import type { Command } from 'commander';
import type { Context } from '../../cli/context.js';
import { examples, lazyAction, parseDuration } from '../../cli/command-kit.js';

export function registerLogs(program: Command, ctx: Context): void {
  const logs = program.command('logs').description("a broadcast's delivery log: tail, follow, export");
  logs
    .command('tail')
    .description('print the delivery log, one line per recipient; --follow prints each change as it happens')
    .argument('<broadcast-id>', 'Qontak broadcast id, or the run id of a Konekwa fan-out')
    .option('--follow', 'keep polling and print each new entry and status change once')
    .option('--interval <duration>', 'polling interval while following (backs off while nothing changes)', parseDuration('--interval'), 5000)
    .option('--status <list>', 'only these statuses, e.g. failed,read')
    .option('--until-done', 'stop following when the broadcast is done and nothing is pending')
    .option('--fail-on-failed', 'exit 1 if any entry failed')
    .addHelpText(
      'after',
      examples('wa-cli logs tail 98b463bc-a8f1-4f19-84df-ae62967ff795', 'wa-cli logs tail 98b463bc-… --follow --until-done --fail-on-failed', 'wa-cli logs tail 98b463bc-… --status failed --json'),
    )
    .action(lazyAction(ctx, () => import('./tail.js')));
  logs
    .command('export')
    .description('write every entry of the log to a CSV or XLSX file')
    .argument('<broadcast-id>')
    .requiredOption('--out <file>', 'FILE.csv or FILE.xlsx')
    .addHelpText('after', examples('wa-cli logs export 98b463bc-… --out november.xlsx'))
    .action(lazyAction(ctx, () => import('./export.js')));
}
