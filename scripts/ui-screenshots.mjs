// `npm run ui:screenshots`: makes the pictures in docs/ui.md. In a fresh data folder (its own embedded Temporal
// dev server, stopped at the end) it logs a few artifacts, runs the flagship pipeline, serves `artifacts ui` and
// photographs each page with Debian's chromium (playwright-core, no browser download) into docs/ui/.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = path.join(root, 'dist', 'cli', 'main.js');
const out = path.join(root, 'docs', 'ui');
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ui-screenshots-'));
const env = { ...process.env, ARTIFACTS_HOME: home, ARTIFACTS_PROJECT: 'default' };
delete env.TEMPORAL_ADDRESS;

function cli(...args) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`artifacts ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function files(spec) {
  const dir = fs.mkdtempSync(path.join(home, 'data-'));
  for (const [rel, content] of Object.entries(spec)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

/** Starts a background `artifacts ARGS` and resolves with it once its output matches `ready`. */
function background(args, ready) {
  const child = spawn(process.execPath, [cliPath, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      text += d;
      const m = ready.exec(text);
      if (m) resolve({ child, match: m[1] });
    });
    child.stderr.on('data', (d) => (text += d));
    child.on('exit', (code) => reject(new Error(`artifacts ${args[0]} exited ${code}: ${text}`)));
  });
}

async function shoot(browser, url, name, prepare = async () => {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 760 } });
  await page.goto(url);
  await page.waitForSelector('main section');
  await prepare(page);
  await page.screenshot({ path: path.join(out, `${name}.png`) });
  await page.close();
  console.log(`docs/ui/${name}.png`);
}

const examples = [
  files({ 'labels.csv': 'id,label\n1,cat\n', 'images/cat-001.png': 'a'.repeat(2048), 'images/cat-002.png': 'b'.repeat(4096), 'images/dog-001.png': 'c'.repeat(3072) }),
  files({ 'labels.csv': 'id,label\n1,cat\n2,dog\n', 'images/cat-001.png': 'a'.repeat(2048), 'images/cat-002.png': 'B'.repeat(5000), 'images/dog-002.png': 'd'.repeat(1024) }),
];
fs.mkdirSync(out, { recursive: true });
cli('log', examples[0], '--name', 'pets', '--type', 'dataset', '--description', 'Pet photos, first cut');
cli('log', examples[1], '--name', 'pets', '--type', 'dataset', '--alias', 'reviewed', '--description', 'Relabelled; <b>tags</b> stay text', '--metadata', 'source=camera-trap', '--metadata', 'reviewer="ana"');
const browser = await chromium.launch({ executablePath: process.env.ARTIFACTS_TEST_CHROMIUM || '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
const { child: ui, match: base } = await background(['ui', '--port', '0'], /listening on (\S+)/);
try {
  const run = await background(['run', path.join(root, 'examples', 'pipelines', 'flagship.yaml'), '--param', 'shards=6', '--param', 'delay_ms=5000'], /started run (\S+)/);
  const runPage = `${base}#/run/${encodeURIComponent(run.match)}`;
  await shoot(browser, runPage, 'run-live', (page) => page.locator('tr[data-step="evaluate"]', { hasText: /\/6 shards/ }).waitFor({ timeout: 120_000 }));
  await new Promise((resolve) => run.child.on('exit', resolve));
  await shoot(browser, runPage, 'run-done', (page) => page.locator('#run-state.completed').waitFor());
  await shoot(browser, `${base}#/runs`, 'runs', (page) => page.waitForSelector('#runs tbody tr'));
  await shoot(browser, `${base}#/`, 'list', (page) => page.waitForSelector('#artifacts tbody tr'));
  await shoot(browser, `${base}#/version/pets%3Av1`, 'version', async (page) => {
    await page.getByRole('button', { name: /images\// }).click();
    await page.waitForSelector('li.file >> text=dog-002.png');
  });
  await shoot(browser, `${base}#/diff/pets%3Av0/pets%3Av1`, 'diff', (page) => page.waitForSelector('#diff tbody tr'));
  await shoot(browser, `${base}#/lineage/model%3Av0`, 'lineage', async (page) => {
    await page.waitForSelector('#lineage g.node');
    await page.getByRole('button', { name: 'expand downstream of dataset:v0' }).click();
    await page.locator('#lineage g.node[data-id="version:dataset:v1"]').waitFor();
  });
} finally {
  await browser.close();
  ui.kill('SIGTERM');
  spawnSync(process.execPath, [cliPath, 'server', 'stop'], { env });
  fs.rmSync(home, { recursive: true, force: true });
}
