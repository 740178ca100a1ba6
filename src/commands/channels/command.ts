// channels: the WhatsApp numbers messages go out through.
import { noun, type OptionsOf } from '../../cli/spec.js';

export const spec = noun({
  name: 'channels',
  description: 'WhatsApp channels: Qontak integrations, Konekwa sessions',
  verbs: {
    list: {
      description: 'list the channels messages can go out through (the id is what --channel takes)',
      examples: ['wa-cli channels list', 'wa-cli channels list --json | jq -r ".[0].id"'],
    },
  },
});

export type Options<V extends keyof typeof spec.verbs> = OptionsOf<(typeof spec.verbs)[V]>;
