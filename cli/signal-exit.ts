import os from 'node:os';

/**
 * For a command that writes files itself and starts no workflow (download, checkout): SIGINT or SIGTERM ends it at
 * once with 128 + the signal's number (130, 143), as the default would, but through `process.exit`, so the store's
 * exit hook removes the temp files it was writing. (Commands with a session have their own handling: see
 * client/interrupts.ts.)
 */
export function exitOnSignals(): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => process.exit(128 + (os.constants.signals[signal] ?? 15)));
  }
}
