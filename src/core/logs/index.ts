// The log-following core: entries, the Qontak mapping, following, summary, formatting and export.
export * from './entry.js';
export { fromQontakLogEntry, qontakStatus } from './qontak-entry.js';
export { StatusTable } from './status-table.js';
export * from './summary.js';
export * from './format.js';
export * from './render-summary.js';
export { followLog, nextInterval, LogPagingError, BACKOFF_FACTOR, DEFAULT_INTERVAL_MS, DEFAULT_MAX_INTERVAL_MS, type FollowOptions, type FollowResult, type LogPage } from './follow.js';
export * from './export.js';
