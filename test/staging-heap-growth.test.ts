import { afterEach, expect, test } from 'vitest';
import path from 'node:path';
import { Store, STAGING_HEAP_GROWTH_PERCENT, stageSpec, stagingHeapGrowth, withStagingHeapGrowth } from 'temporal-artifacts/internal';
import { tempDir, writeFiles } from './helpers';

const nodeOptions = process.env.NODE_OPTIONS;
afterEach(() => {
  if (nodeOptions === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = nodeOptions;
});

test('staging a folder slows the heap growth while it runs and gives V8 its own factor back after', async () => {
  const home = tempDir();
  const store = await Store.fromConfig({ home, blobUrl: path.join(home, 'blobs') });
  const files: Record<string, string> = {};
  for (let i = 0; i < 300; i++) files[`part-${i % 3}/f${i}.txt`] = `file ${i}`;
  const seen: (number | undefined)[] = [];
  const spec = { format: 'temporal-artifacts/spec@1' as const, ops: [{ op: 'dir' as const, local: writeFiles(files), prefix: '' }] };
  const result = await stageSpec(store, spec, { onProgress: () => seen.push(stagingHeapGrowth()) });
  expect(result.files).toBe(300);
  expect(seen.length).toBeGreaterThan(0);
  expect(new Set(seen)).toEqual(new Set([STAGING_HEAP_GROWTH_PERCENT]));
  expect(stagingHeapGrowth()).toBeUndefined();
});

test('overlapping stagings share the setting until the last one ends, a failed one included', async () => {
  let endFirst!: () => void;
  const first = withStagingHeapGrowth(() => new Promise<void>((resolve) => (endFirst = resolve)));
  const second = withStagingHeapGrowth(async () => {
    throw new Error('the disk is full');
  });
  await expect(second).rejects.toThrow('the disk is full');
  expect(stagingHeapGrowth()).toBe(STAGING_HEAP_GROWTH_PERCENT);
  endFirst();
  await first;
  expect(stagingHeapGrowth()).toBeUndefined();
});

test('a process started with its own --heap-growing-percent keeps it while staging runs', async () => {
  process.env.NODE_OPTIONS = '--max-old-space-size=4096 --heap-growing-percent=50';
  expect(await withStagingHeapGrowth(async () => stagingHeapGrowth())).toBeUndefined();
  delete process.env.NODE_OPTIONS;
  expect(await withStagingHeapGrowth(async () => stagingHeapGrowth())).toBe(STAGING_HEAP_GROWTH_PERCENT);
});
