import type { Command } from 'commander';
import type { Context } from '../../cli/context.js';
import { examples, lazyAction } from '../../cli/command-kit.js';

export function registerChannels(program: Command, ctx: Context): void {
  const channels = program.command('channels').description('WhatsApp channels: Qontak integrations, Konekwa sessions');
  channels
    .command('list')
    .description('list the channels messages can go out through (the id is what --channel takes)')
    .addHelpText('after', examples('wa-cli channels list', 'wa-cli channels list --json | jq -r ".[0].id"'))
    .action(lazyAction(ctx, () => import('./list.js')));
}
