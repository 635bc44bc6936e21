import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { expect, test } from 'vitest';
import { workflowSource } from 'temporal-artifacts/internal';
import { isolatedEnv } from './helpers';

Object.assign(process.env, isolatedEnv());
const file = path.join(__dirname, 'fixtures', 'incremental-workflow-history.json');
const recorded = JSON.parse(fs.readFileSync(file, 'utf8')) as { events: unknown[] };

/** Every payload's decoded text in a history (inputs, activity arguments and results). */
function payloadTexts(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) for (const item of node) payloadTexts(item, out);
  else if (node && typeof node === 'object') {
    const record = node as Record<string, unknown>;
    if (typeof record['data'] === 'string' && record['metadata']) out.push(Buffer.from(record['data'], 'base64').toString('utf8'));
    else for (const value of Object.values(record)) payloadTexts(value, out);
  }
  return out;
}

test('the recorded incremental-workflow history (add, replace, remove) replays against the current workflow code', async () => {
  await expect(Worker.runReplayHistory(workflowSource(), recorded)).resolves.toBeUndefined();
});

test('a history of a stale draft rebased onto a newer latest (recorded after the rebase-stale-drafts patch) replays too, and keeps file names out', async () => {
  const rebased = JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', 'incremental-rebased-history.json'), 'utf8')) as { events: unknown[] };
  await expect(Worker.runReplayHistory(workflowSource(), rebased)).resolves.toBeUndefined();
  const texts = payloadTexts(rebased.events);
  expect(texts.some((t) => t.includes('rebase-stale-drafts'))).toBe(true);
  expect(texts.some((t) => t.includes('"rebasedOnto":"v1"'))).toBe(true);
  for (const text of texts) expect(text).not.toMatch(/[abc]2?\.txt/);
});

test('the incremental workflow keeps file lists and manifests out of history: only digests and counts pass through it', () => {
  const texts = payloadTexts(recorded.events);
  expect(texts.length).toBeGreaterThan(5);
  // The draft added c.txt, replaced b.txt and removed a.txt: no payload names them.
  for (const text of texts) expect(text).not.toMatch(/[abc]\.txt/);
  expect(texts.some((t) => t.includes('"specDigest"'))).toBe(true);
  expect(texts.some((t) => t.includes('"editsDigest"'))).toBe(true);
  expect(Math.max(...texts.map((t) => t.length))).toBeLessThan(2000);
});
