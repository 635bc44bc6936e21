import fs from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { describe, expect, test } from 'vitest';
import { workflowSource } from 'temporal-artifacts/internal';
import { isolatedEnv } from './helpers';

Object.assign(process.env, isolatedEnv());

/** Histories recorded by scripts/record-collaborative-histories.mjs from real runs on the dev server. */
const fixture = (name: string): unknown => JSON.parse(fs.readFileSync(path.join(__dirname, 'fixtures', name), 'utf8')) as unknown;
/** The recorded workflow ids: child workflow ids derive from the parent's, so replay must use the same one. */
const ids = fixture('collaborative-workflow-ids.json') as Record<string, string>;

describe('collaborative workflows replay their recorded histories', () => {
  test.each([
    ['a draft with two writers, a duplicate, a conflict and a finish', 'draft-workflow-history.json'],
    ['a draft run that started from a continue-as-new and committed', 'draft-continued-history.json'],
    ['one writer\'s upsert workflow', 'upsert-workflow-history.json'],
    ['a fan-out of 4 shards in a window of 2, as child workflows (recorded before SHARD_ACTIVITIES_PATCH)', 'fan-out-workflow-history.json'],
    ['one shard child workflow, claimed and run on its worker\'s host queue', 'shard-workflow-history.json'],
    ['a fan-out of 4 shards in a window of 2, each shard one activity of the fan-out', 'fan-out-shard-activities-history.json'],
  ])('%s replays against the current workflow code', async (_what, file) => {
    await expect(Worker.runReplayHistory(workflowSource(), fixture(file), ids[file])).resolves.toBeUndefined();
  });

  test('a draft history whose first merge is swapped for a commit is caught as nondeterministic by the same replay', async () => {
    const history = fixture('draft-workflow-history.json') as { events: { eventType: string; activityTaskScheduledEventAttributes?: { activityType?: { name?: string } } }[] };
    const first = history.events.find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'mergeDraft')!;
    first.activityTaskScheduledEventAttributes!.activityType!.name = 'commitVersion';
    await expect(Worker.runReplayHistory(workflowSource(), history, ids['draft-workflow-history.json'])).rejects.toThrow(/[Nn]ondetermin/);
  });
});
