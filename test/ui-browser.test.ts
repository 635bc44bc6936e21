import { createHash } from 'node:crypto';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import fs from 'node:fs';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { cli, isolatedEnv, writeFiles } from './helpers';
import { fileBrowser, startUi, type UiProcess } from './ui-helpers';

// One store, one UI server and one browser for the whole file: chromium is heavy on a small machine.
const env = isolatedEnv();
const browser = fileBrowser();
let ui: UiProcess;

const XSS_DESCRIPTION = '<img src=x onerror="window.__xss = \'description\'">caught?';
const XSS_NOTE = '</pre><script>window.__xss = "metadata"</script>';
const XSS_FILE = '<svg onload=alert(1)>.txt';

beforeAll(() => {
  const log = (dir: string, ...args: string[]): void => {
    const out = cli(['log', dir, ...args], env);
    if (out.code !== 0) throw new Error(out.stderr);
  };
  log(writeFiles({ 'a.txt': 'alpha', 'images/1.png': 'one', 'images/2.png': 'two' }), '--name', 'images', '--type', 'dataset');
  log(writeFiles({ 'a.txt': 'alpha', 'images/1.png': 'ONE!', 'images/3.png': 'three' }), '--name', 'images', '--type', 'dataset', '--alias', 'reviewed');
  log(writeFiles({ 'weights.bin': 'w'.repeat(3000) }), '--name', 'resnet', '--type', 'model');
  log(writeFiles({ [XSS_FILE]: 'x' }), '--name', 'hostile', '--type', 'notes', '--description', XSS_DESCRIPTION, '--metadata', `note=${XSS_NOTE}`, '--metadata', `<b>key</b>=1`);
}, 180_000);

beforeAll(async () => {
  ui = await startUi(env);
});

afterAll(() => {
  ui?.child.kill('SIGTERM');
});

/** The digest of `bytes` in the algorithm `like` names, spelled like it. */
function digestOf(like: string, bytes: Buffer): string {
  const [algorithm] = like.split(':');
  if (algorithm === 'blake3') return `blake3:${new Blake3Hasher().update(bytes).digest('hex')}`;
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

async function open(hash: string): Promise<Page> {
  const page = await browser().newPage();
  await page.goto(`${ui.url}${hash}`);
  return page;
}

test('the list page shows every artifact with its type, versions and latest, and the search box narrows it', async () => {
  const page = await open('#/');
  const rows = page.locator('#artifacts tbody tr');
  await expect.poll(() => rows.count()).toBe(3);
  expect(await rows.filter({ hasText: 'images' }).innerText()).toMatch(/images\s+dataset\s+2\s+v1/);
  await page.fill('#search', 'mod');
  await expect.poll(() => rows.allInnerTexts()).toEqual([expect.stringMatching(/^resnet\s+model\s+1\s+v0/)]);
  await page.close();
});

test('a version page shows aliases, files as a tree with sizes and digests, and downloads one file that matches its digest', async () => {
  const page = await open('#/version/images%3Av1');
  await expect.poll(() => page.locator('#aliases').innerText()).toContain('reviewed');
  await page.getByRole('button', { name: /images\// }).click();
  const file = page.locator('li.file', { hasText: '3.png' });
  await expect.poll(() => file.innerText()).toMatch(/3\.png\s+5 B\s+(blake3|sha256):[0-9a-f]{12}/);
  const shown = await file.locator('.mono').getAttribute('title');
  const [download] = await Promise.all([page.waitForEvent('download'), file.getByRole('link', { name: 'download' }).click()]);
  const bytes = fs.readFileSync((await download.path())!);
  expect(bytes.toString()).toBe('three');
  expect(shown).toBe(digestOf(shown!, bytes));
  await page.close();
});

test('the diff page lists what was added, removed and modified between two versions, with sizes', async () => {
  const page = await open('#/artifact/images');
  await page.click('#compare');
  await page.waitForSelector('#diff tbody tr');
  expect(await page.locator('#diff-summary').innerText()).toMatch(/\+1 added.*−1 removed.*~1 modified/s);
  expect(await page.locator('#diff tbody tr').allInnerTexts()).toEqual([
    expect.stringMatching(/~\s+images\/1\.png\s+3 B → 4 B/),
    expect.stringMatching(/−\s+images\/2\.png\s+3 B/),
    expect.stringMatching(/\+\s+images\/3\.png\s+5 B/),
  ]);
  await page.close();
});

test('hostile metadata, description and file names render as text and run no script', async () => {
  const page = await open('#/version/hostile%3Av0');
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.waitForSelector('#description');
  expect(await page.locator('#description').innerText()).toBe(XSS_DESCRIPTION);
  expect(await page.locator('#metadata').innerText()).toContain(XSS_NOTE);
  expect(await page.locator('#metadata').innerText()).toContain('<b>key</b>');
  await expect.poll(() => page.locator('li.file .name').innerText()).toBe(XSS_FILE);
  expect(await page.locator('main img, main script, main b, main svg').count()).toBe(0);
  expect(await page.evaluate(() => (globalThis as { __xss?: string }).__xss)).toBeUndefined();
  expect(dialogs).toEqual([]);
  await page.close();
});
