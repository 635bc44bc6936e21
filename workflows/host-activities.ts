import { proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { ArtifactActivities } from '../activities';
import type { ManifestRef } from '../store/manifest/manifest';
import { HOST_RETRY } from './retry-policies';
import type { StagedVersionInput } from './types';

/**
 * Activities that read a writer's local files, scheduled on that writer's host queue so every retry lands where
 * the files are. A dead worker is noticed within the heartbeat timeout; the retry resumes from the last heartbeat.
 */
export function hostActivities(hostQueue: string, heartbeatTimeoutMs: number | undefined) {
  return proxyActivities<ArtifactActivities>({
    taskQueue: hostQueue,
    startToCloseTimeout: '7 days',
    heartbeatTimeout: heartbeatTimeoutMs ?? 30_000,
    retry: HOST_RETRY,
  });
}

/** Who made a version: this workflow run, and the user-level run when there is one. */
export function producerOf(info: { readonly workflowId: string; readonly runId: string }, run: string | undefined) {
  return { workflowId: info.workflowId, runId: info.runId, ...(run ? { run } : {}) };
}

/** The commit of a staged version: the input's name, type, aliases and metadata, keyed by this workflow's id. */
export function commitInputOf(input: StagedVersionInput, manifest: ManifestRef, keyPrefix: string) {
  const info = workflowInfo();
  return {
    name: input.name,
    type: input.type,
    manifest,
    aliases: input.aliases ?? [],
    description: input.description,
    metadata: input.metadata,
    ...(input.metadataDigest ? { metadataDigest: input.metadataDigest } : {}),
    idempotencyKey: `${keyPrefix}:${info.workflowId}`,
    producer: producerOf(info, input.run),
  };
}
