import path from 'node:path';
import { afterAll, beforeAll, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { isolatedEnv, ROOT, spawnLive, waitFor } from './helpers';
import { fileBrowser, startUi, type UiProcess } from './ui-helpers';

const flagship = path.join(ROOT, 'examples', 'pipelines', 'flagship.yaml');
const env = isolatedEnv();
const browser = fileBrowser();
let ui: UiProcess;
let runId: string;

beforeAll(async () => {
  ui = await startUi(env);
});

afterAll(() => {
  ui?.child.kill('SIGTERM');
});

async function open(hash: string): Promise<Page> {
  const page = await browser().newPage();
  await page.goto(`${ui.url}${hash}`);
  return page;
}

/** Node centres as the layout placed them, by node id. */
async function positions(page: Page, svg: string): Promise<Map<string, { x: number; y: number }>> {
  const nodes = await page.locator(`${svg} g.node`).evaluateAll((gs) => gs.map((g) => [g.getAttribute('data-id'), Number(g.getAttribute('data-x')), Number(g.getAttribute('data-y'))] as const));
  return new Map(nodes.map(([id, x, y]) => [id!, { x, y }]));
}

async function edges(page: Page, svg: string): Promise<string[]> {
  return (await page.locator(`${svg} path.edge`).evaluateAll((ps) => ps.map((p) => `${p.getAttribute('data-from')} -> ${p.getAttribute('data-to')}`))).sort();
}

test('a run page draws the flagship step DAG and follows the run live: shard progress while evaluating, every step done at the end', async () => {
  const run = spawnLive(['run', flagship, '--param', 'shards=3', '--param', 'delay_ms=3000'], env);
  runId = await waitFor(() => /started run (\S+)/.exec(run.output.stdout)?.[1], 90_000, 'the run to start');
  const page = await open(`#/run/${encodeURIComponent(runId)}`);
  await page.waitForSelector('#steps g.node');
  expect(await edges(page, '#steps')).toEqual(['evaluate -> curate', 'prepare -> train', 'train -> evaluate']);
  // Once its shards are out, the fan-out step shows how many of them have finished.
  await page.locator('tr[data-step="evaluate"][data-state="running"]', { hasText: /[0-3]\/3 shards/ }).waitFor({ timeout: 90_000 });
  expect(await page.locator('#steps g.node[data-id="evaluate"]').getAttribute('class')).toBe('node step running');
  expect(await page.locator('#run-state').innerText()).toBe('running');
  // The same page, never reloaded, reaches the end of the run.
  await page.locator('#run-state.completed').waitFor({ timeout: 120_000 });
  expect(await page.locator('#steps-table tbody tr').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-step')}:${r.getAttribute('data-state')}`)))
    .toEqual(['prepare:done', 'train:done', 'evaluate:done', 'curate:done']);
  expect(await page.locator('tr[data-step="evaluate"] a').innerText()).toBe('predictions:v0');
  const laid = await positions(page, '#steps');
  expect(laid.get('prepare')!.x).toBeLessThan(laid.get('train')!.x);
  expect(laid.get('train')!.x).toBeLessThan(laid.get('evaluate')!.x);
  expect((await run.exited).code).toBe(0);
  await page.close();
});

test('the lineage graph of the flagship model shows the runs that made and used it, laid out in ranks, and expands on demand', async () => {
  expect(runId).toBeDefined();
  const page = await open('#/lineage/model%3Av0');
  await page.waitForSelector('#lineage g.node');
  const step = (name: string): string => `run:${runId}/${name}`;
  expect(await edges(page, '#lineage')).toEqual([
    `${step('evaluate')} -> version:predictions:v0`,
    `${step('train')} -> version:model:v0`,
    `version:dataset:v0 -> ${step('train')}`,
    `version:model:v0 -> ${step('evaluate')}`,
  ].sort());
  const laid = await positions(page, '#lineage');
  const chain = ['version:dataset:v0', step('train'), 'version:model:v0', step('evaluate'), 'version:predictions:v0'];
  for (let i = 1; i < chain.length; i++) expect(laid.get(chain[i - 1]!)!.x).toBeLessThan(laid.get(chain[i]!)!.x);
  // Downstream of the dataset: the curated draft made from it joins the graph.
  await page.getByRole('button', { name: 'expand downstream of dataset:v0' }).click();
  await page.locator('#lineage g.node[data-id="version:dataset:v1"]').waitFor();
  expect(await edges(page, '#lineage')).toContain('version:dataset:v0 -> version:dataset:v1');
  expect(await page.getByRole('button', { name: 'expand downstream of dataset:v0' }).count()).toBe(0);
  await page.close();
});
