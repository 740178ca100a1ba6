// Child process for the kill -9 test: resumes the journal argv[2] against the gateway at argv[3] until killed.
import { openJournal, readPlan } from '../../../../src/core/broadcast/journal.js';
import { runFanout } from '../../../../src/core/broadcast/fanout.js';
import { realSleep } from '../../../../src/core/broadcast/token-bucket.js';
import { httpGateway } from './http-gateway.js';

const journal = await openJournal(process.argv[2]!);
const gw = httpGateway(process.argv[3]!);
const summary = await runFanout({
  plan: () => readPlan(journal.planPath),
  journal,
  send: gw.send,
  reconcile: gw.reconcile,
  ratePerSec: 200,
  burst: 1,
  concurrency: 4,
  clock: Date.now,
  sleep: realSleep,
  settleMs: 100,
});
await journal.close();
process.stdout.write(JSON.stringify(summary) + '\n');
