#!/usr/bin/env node
/**
 * The `coatcheck` executable.
 *
 * @module
 */
import { runCli } from './main.js';

try {
  process.exitCode = await runCli(process.argv.slice(2));
} catch (error) {
  // A bug, not an expected failure: show it whole, and exit 1 like any failure.
  console.error(error);
  process.exitCode = 1;
}
