#!/usr/bin/env node
// The bundle (dist/cli, built by scripts/bundle.mjs) starts faster than the tsc output in dist/src it is made from.
import { main, processContextInit } from '../dist/cli/main.js';

process.exitCode = await main(process.argv.slice(2), processContextInit());
