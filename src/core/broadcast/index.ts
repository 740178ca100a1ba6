// The broadcast fan-out core: journal, pacing, engine, idempotency ledger and run lock. No HTTP, no provider code.
export * from './journal.js';
export * from './token-bucket.js';
export * from './fanout.js';
export * from './ledger.js';
export * from './lock.js';
