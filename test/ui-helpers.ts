import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { spawnLive, waitFor, type LiveProcess } from './helpers';

/** Debian's chromium (installed by scripts/setup-services.sh); playwright never downloads a browser here. */
export function chromiumPath(): string {
  const file = process.env['ARTIFACTS_TEST_CHROMIUM'] || '/usr/bin/chromium';
  if (!fs.existsSync(file)) throw new Error(`No chromium at ${file}: run \`bash scripts/setup-services.sh\` (it installs Debian's chromium), or set ARTIFACTS_TEST_CHROMIUM.`);
  return file;
}

/** One headless chromium for the test file that calls this at its top level, closed after it. */
export function fileBrowser(): () => Browser {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await chromium.launch({ executablePath: chromiumPath(), headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  });
  afterAll(async () => {
    await browser?.close();
  });
  return () => browser!;
}

export interface UiProcess extends LiveProcess {
  readonly url: string;
}

/** Starts `artifacts ui --port 0 ARGS...` and resolves with the address it prints. */
export async function startUi(env: NodeJS.ProcessEnv, args: string[] = []): Promise<UiProcess> {
  const live = spawnLive(['ui', '--port', '0', ...args], env);
  const url = await waitFor(() => {
    if (live.child.exitCode !== null) throw new Error(`artifacts ui exited: ${live.output.stderr}`);
    return /listening on (\S+)/.exec(live.output.stdout)?.[1];
  }, 30_000, 'artifacts ui to listen');
  return { ...live, url };
}
