/** What the pipeline run pages read: the runs of this task queue, and one run's step graph with live states. */
import { listPipelineRuns, pipelineRunView } from '../client';
import type { RunJson, RunListJson } from './api-types';
import type { UiData } from './ui-data';

export async function runList(data: UiData): Promise<RunListJson> {
  return { runs: await listPipelineRuns(await data.temporal()) };
}

export async function runDetail(data: UiData, runId: string): Promise<RunJson | null> {
  return (await pipelineRunView(await data.temporal(), runId)) ?? null;
}
