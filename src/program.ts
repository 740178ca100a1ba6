// The commander tree. Each group registers its verbs; a verb's code is imported only when it runs.
import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import type { Context } from './cli/context.js';
import { examples } from './cli/command-kit.js';
import { registerAuth } from './commands/auth/index.js';
import { registerChannels } from './commands/channels/index.js';
import { registerSandbox } from './commands/sandbox/index.js';
import { registerCompletion } from './commands/completion/index.js';
import { registerDemo } from './commands/demo/index.js';
import { registerContacts } from './commands/contacts/index.js';
import { registerTemplates } from './commands/templates/index.js';
import { registerBroadcast } from './commands/broadcast/index.js';
import { registerLogs } from './commands/logs/index.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(ctx: Context): Command {
  const program = new Command('wa-cli');
  program
    .description('WhatsApp broadcasts and templates over Mekari Qontak and Konekwa: validate locally, send safely.')
    .version(version(), '-V, --version')
    .option('-p, --profile <name>', 'configuration profile (env WA_PROFILE)')
    .option('--json', 'print results as JSON (JSON Lines for streams)')
    .option('--no-color', 'no colour (also NO_COLOR)')
    .option('-q, --quiet', 'print results only: no progress or notes')
    .option('--verbose', 'log HTTP requests (secrets redacted) and show stack traces')
    .option('-y, --yes', 'answer yes to confirmations (required without a terminal)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => ctx.stdout.write(s),
      writeErr: (s) => ctx.stderr.write(s),
    })
    .addHelpText(
      'after',
      examples(
        'wa-cli demo',
        'wa-cli auth login --provider qontak --client-id abc123 --with-secret < secret.txt',
        'wa-cli channels list --json',
      ) +
        '\nExit codes: 0 ok, 1 failed, 2 usage, 3 not found, 4 auth, 5 conflict, 6 transient, 130 interrupted.\n',
    )
    .hook('preAction', () => {
      const o = program.opts<{ profile?: string; json?: boolean; color?: boolean; quiet?: boolean; verbose?: boolean; yes?: boolean }>();
      ctx.setGlobals(o);
    });

  registerAuth(program, ctx);
  registerChannels(program, ctx);
  registerTemplates(program, ctx);
  registerContacts(program, ctx);
  registerBroadcast(program, ctx);
  registerLogs(program, ctx);
  registerSandbox(program, ctx);
  registerDemo(program, ctx);
  registerCompletion(program, ctx);

  // Every subcommand shares the same output settings and error handling.
  const inherit = (cmd: Command): void => {
    for (const sub of cmd.commands) {
      sub.exitOverride().configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) });
      sub.showHelpAfterError('(run with --help for usage)');
      inherit(sub);
    }
  };
  inherit(program);
  return program;
}
