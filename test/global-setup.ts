import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDevServer } from 'temporal-artifacts';

/**
 * One real Temporal dev server per test run (SQLite in WAL mode, synchronous off), shared by every test file
 * through TEMPORAL_ADDRESS. Tests isolate themselves by data folder and task queue, not by server.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'artifacts-test-server-'));
  const server = await startDevServer({ dbFile: path.join(dir, 'temporal.db'), logFile: path.join(dir, 'server.log'), detached: false, headless: true });
  process.env['TEMPORAL_ADDRESS'] = server.address;
  process.env['ARTIFACTS_TEST_SERVER_PID'] = String(server.pid);
  return async () => {
    try {
      process.kill(server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
}
