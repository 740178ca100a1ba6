// demo: the whole flow against a built-in sandbox.
import { noun, type OptionsOf } from '../../cli/spec.js';

export const spec = noun({
  name: 'demo',
  description: 'the whole flow against a built-in sandbox, in seconds; nothing leaves this machine',
  examples: ['wa-cli demo', 'wa-cli demo --no-color 2>&1 | less'],
});

export type Options = OptionsOf<typeof spec>;
