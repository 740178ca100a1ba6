#!/usr/bin/env node
import { main, processContextInit } from '../dist/src/main.js';

process.exitCode = await main(process.argv.slice(2), processContextInit());
