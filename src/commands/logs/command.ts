// logs: a broadcast's delivery log: tail, follow, export.
import { arg, duration, flag, MIN_POLL_INTERVAL_MS, noun, type OptionsOf } from '../../cli/spec.js';

export const spec = noun({
  name: 'logs',
  description: "a broadcast's delivery log: tail, follow, export",
  verbs: {
    tail: {
      description: 'print the delivery log, one line per recipient; --follow prints each change as it happens',
      args: [arg('<broadcast-id>', 'Qontak broadcast id, or the run id of a Konekwa fan-out', { complete: 'runs' })],
      flags: [
        flag('--follow', 'keep polling and print each new entry and status change once'),
        duration('--interval <duration>', 'polling interval while following (backs off while nothing changes, waits as long as the server asks)', 5000, MIN_POLL_INTERVAL_MS),
        flag('--status <list>', 'only these statuses, e.g. failed,read', { complete: 'statuses' }),
        flag('--until-done', 'stop following when the broadcast is done and nothing is pending'),
        flag('--fail-on-failed', 'exit 1 if any entry failed'),
      ],
      examples: [
        'wa-cli logs tail 98b463bc-a8f1-4f19-84df-ae62967ff795',
        'wa-cli logs tail 98b463bc-a8f1-4f19-84df-ae62967ff795 --follow --until-done --fail-on-failed',
        'wa-cli logs tail 98b463bc-a8f1-4f19-84df-ae62967ff795 --status failed --json',
      ],
    },
    export: {
      description: 'write every entry of the log to a CSV or XLSX file',
      args: [arg('<broadcast-id>', undefined, { complete: 'runs' })],
      flags: [flag('--out <file>', 'FILE.csv or FILE.xlsx', { required: true, file: true })],
      examples: ['wa-cli logs export 98b463bc-a8f1-4f19-84df-ae62967ff795 --out november.xlsx'],
    },
  },
});

export type Options<V extends keyof typeof spec.verbs> = OptionsOf<(typeof spec.verbs)[V]>;
