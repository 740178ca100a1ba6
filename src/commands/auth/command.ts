// auth: log in, check and remove the credentials of a profile.
import { flag, noun, type OptionsOf } from '../../cli/spec.js';

export const spec = noun({
  name: 'auth',
  description: 'log in, check and remove credentials',
  verbs: {
    login: {
      description: 'store credentials for a profile in the OS keychain (non-secret settings go to the config file)',
      flags: [
        flag('--provider <name>', 'API to use', { choices: ['qontak', 'konekwa'] }),
        flag('--method <method>', 'auth method (qontak: hmac or oauth; konekwa: api-key)', { choices: ['hmac', 'oauth', 'api-key'] }),
        flag('--client-id <id>', 'Mekari HMAC client id, or the Qontak OAuth client id'),
        flag('--base-url <url>', 'API base URL (defaults: https://api.mekari.com, https://service-chat.qontak.com, http://localhost:8080)'),
        flag('--with-secret', 'read the secret (client secret, access token or API key) from standard input'),
        flag('--insecure-storage', 'store secrets in a 0600 file instead of the OS keychain'),
        flag('--no-verify', 'store without the live check'),
      ],
      examples: [
        'wa-cli auth login',
        'printf %s "$SECRET" | wa-cli auth login --provider qontak --client-id abc123 --with-secret',
        'wa-cli -p gateway auth login --provider konekwa --base-url https://wa.example.com --with-secret < key.txt',
      ],
    },
    status: {
      description: 'show the profile, provider, base URL, where each credential comes from, and a live check',
      flags: [flag('--offline', 'skip the live check')],
      examples: ['wa-cli auth status', 'MEKARI_API_CLIENT_ID=… MEKARI_API_CLIENT_SECRET=… wa-cli auth status --json'],
    },
    logout: {
      description: "remove the profile's secrets from the keychain (and the 0600 file) and its settings",
      examples: ['wa-cli auth logout', 'wa-cli -p staging auth logout'],
    },
  },
});

export type Options<V extends keyof typeof spec.verbs> = OptionsOf<(typeof spec.verbs)[V]>;
