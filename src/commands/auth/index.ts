import { Option, type Command } from 'commander';
import type { Context } from '../../cli/context.js';
import { examples, lazyAction } from '../../cli/command-kit.js';

export function registerAuth(program: Command, ctx: Context): void {
  const auth = program.command('auth').description('log in, check and remove credentials');
  auth
    .command('login')
    .description('store credentials for a profile in the OS keychain (non-secret settings go to the config file)')
    .addOption(new Option('--provider <name>', 'API to use').choices(['qontak', 'konekwa']))
    .addOption(new Option('--method <method>', 'auth method (qontak: hmac or oauth; konekwa: api-key)').choices(['hmac', 'oauth', 'api-key']))
    .option('--client-id <id>', 'Mekari HMAC client id, or the Qontak OAuth client id')
    .option('--base-url <url>', 'API base URL (defaults: https://api.mekari.com, https://service-chat.qontak.com, http://localhost:8080)')
    .option('--with-secret', 'read the secret (client secret, access token or API key) from standard input')
    .option('--insecure-storage', 'store secrets in a 0600 file instead of the OS keychain')
    .option('--no-verify', 'store without the live check')
    .addHelpText(
      'after',
      examples(
        'wa-cli auth login',
        'printf %s "$SECRET" | wa-cli auth login --provider qontak --client-id abc123 --with-secret',
        'wa-cli -p gateway auth login --provider konekwa --base-url https://wa.example.com --with-secret < key.txt',
      ),
    )
    .action(lazyAction(ctx, () => import('./login.js')));
  auth
    .command('status')
    .description('show the profile, provider, base URL, where each credential comes from, and a live check')
    .option('--offline', 'skip the live check')
    .addHelpText('after', examples('wa-cli auth status', 'MEKARI_API_CLIENT_ID=… MEKARI_API_CLIENT_SECRET=… wa-cli auth status --json'))
    .action(lazyAction(ctx, () => import('./status.js')));
  auth
    .command('logout')
    .description("remove the profile's secrets from the keychain (and the 0600 file) and its settings")
    .addHelpText('after', examples('wa-cli auth logout', 'wa-cli -p staging auth logout'))
    .action(lazyAction(ctx, () => import('./logout.js')));
}
