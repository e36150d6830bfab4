#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { runBrokerctl } from './brokerctl';

/**
 * brokerctl: the broker's admin API from a shell (`npm run brokerctl -- status`). Plain Node, no Nest:
 * it runs from the same image or checkout as the broker without booting any of it.
 */
// The CLI is not the broker: it has no @broker/config environment to go through, so it takes its
// variables here, once, and hands them down.
// eslint-disable-next-line no-restricted-properties
const { BROKER_URL, BROKER_ADMIN_KEY, BROKER_CONFIG } = process.env;

runBrokerctl(
  process.argv.slice(2),
  {
    ...(BROKER_URL !== undefined && { BROKER_URL }),
    ...(BROKER_ADMIN_KEY !== undefined && { BROKER_ADMIN_KEY }),
    ...(BROKER_CONFIG !== undefined && { BROKER_CONFIG }),
  },
  {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    readFile: (path) => readFileSync(path, 'utf8'),
    now: () => Date.now(),
  },
).then(
  (code) => {
    process.exitCode = code;
  },
  () => {
    process.exitCode = 1;
  },
);
