import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer } from 'temporal-artifacts/internal';

const PREFIX = 'artifacts-tests-';

/**
 * One real Temporal dev server per test run (SQLite in WAL mode, synchronous off), shared by every test file
 * through TEMPORAL_ADDRESS. Tests isolate themselves by data folder and task queue, not by server.
 *
 * Every temp folder of the run (test data, stores, the server's database, child processes' files) lives under one
 * folder, made the run's TMPDIR and removed at the end; folders left by runs that were killed are removed at the
 * start of the next run, so repeated runs on one machine never fill its disk.
 */
export default async function setup(): Promise<() => Promise<void>> {
  removeAbandonedRuns(os.tmpdir());
  const root = fs.mkdtempSync(path.join(os.tmpdir(), PREFIX));
  fs.writeFileSync(path.join(root, 'owner.pid'), String(process.pid));
  process.env['TMPDIR'] = root;
  const dir = fs.mkdtempSync(path.join(root, 'artifacts-test-server-'));
  const server = await startDevServer({ dbFile: path.join(dir, 'temporal.db'), logFile: path.join(dir, 'server.log'), detached: false, headless: true });
  process.env['TEMPORAL_ADDRESS'] = server.address;
  process.env['ARTIFACTS_TEST_SERVER_PID'] = String(server.pid);
  return async () => {
    try {
      process.kill(server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    fs.rmSync(root, { recursive: true, force: true });
  };
}

/** Removes the folders of earlier runs whose vitest process is gone (another run still going keeps its own). */
function removeAbandonedRuns(tmp: string): void {
  for (const name of fs.readdirSync(tmp)) {
    if (!name.startsWith(PREFIX)) continue;
    const folder = path.join(tmp, name);
    if (!ownerGone(folder)) continue;
    fs.rmSync(folder, { recursive: true, force: true });
  }
}

/** True when the run that made `folder` has ended (no owner file: made over an hour ago, so not being set up now). */
function ownerGone(folder: string): boolean {
  let owner: number;
  try {
    owner = Number(fs.readFileSync(path.join(folder, 'owner.pid'), 'utf8'));
  } catch {
    return Date.now() - fs.statSync(folder).mtimeMs > 3_600_000;
  }
  try {
    process.kill(owner, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'EPERM';
  }
}
