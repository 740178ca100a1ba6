// sandbox: the local Qontak + Konekwa simulator in the foreground.
import { flag, noun, positiveInt, type OptionsOf } from '../../cli/spec.js';

export const spec = noun({
  name: 'sandbox',
  description: 'run the local Qontak + Konekwa simulator in the foreground (nothing is sent to WhatsApp)',
  flags: [flag('--port <n>', 'port on 127.0.0.1 (default: a free one)', { parse: positiveInt('--port') })],
  examples: [
    'wa-cli sandbox --port 8787',
    'wa-cli sandbox --port 8787 --json > sandbox.json &  # in the background; it runs until stopped',
    'eval "$(jq -r \'.exports["qontak-hmac"]\' sandbox.json)"  # then wa-cli talks to the sandbox',
  ],
});

export type Options = OptionsOf<typeof spec>;
