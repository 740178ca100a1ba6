// doctor: every check a first send depends on.
import { noun, type OptionsOf } from '../../cli/spec.js';

export const spec = noun({
  name: 'doctor',
  description: 'check everything a first send depends on, one line each with ✓ or ✗ and the fix; exit 1 if any fails',
  examples: ['wa-cli doctor', 'wa-cli -p gateway doctor', "wa-cli doctor --json | jq -r '.checks[] | select(.status == \"fail\") | .fix'"],
});

export type Options = OptionsOf<typeof spec>;
