import { executeChild, workflowInfo } from '@temporalio/workflow';
import { UsageError } from '../errors';
import { toFailure } from '../errors/failure';
import { callerOf, described, nextCallId, onHostOf, registry, releaseFolder } from './artifact-calls';
import { incrementalArtifactWorkflow } from './incremental-workflow';
import type { VersionRecord } from './types';
import type { HostFolder, LoggedWorkflowVersion, WorkflowArtifactSpec, WorkflowVersion } from './workflow-api-types';
import { workflowVersionOf } from './workflow-api-types';

export interface SavedWorkflowDraft extends LoggedWorkflowVersion {
  /** `vN` the draft was made from. */
  readonly basedOn: string;
}

/**
 * Incremental mode inside a workflow: a new version made from an existing one by adding files (on one host) and
 * removing paths; only the changes are staged and written.
 *
 *   const draft = await newDraft('dataset:latest');
 *   await draft.add(await fetchNewShard()).remove('stale/part-0.csv').save({ aliases: ['fresh'] });
 */
export async function newDraft(ref: string): Promise<WorkflowDraft> {
  return new WorkflowDraft(await registry.resolveVersion({ ref }));
}

export class WorkflowDraft {
  private readonly adds: HostFolder[] = [];
  private readonly removes: string[] = [];

  /** The version this draft starts from. */
  readonly base: WorkflowVersion;

  constructor(private readonly baseRecord: VersionRecord) {
    this.base = workflowVersionOf(baseRecord);
  }

  /** Adds files on one host (every add of a draft must be on the same host: they are staged together there). */
  add(from: HostFolder): this {
    const other = this.adds[0];
    if (other && other.hostQueue !== from.hostQueue) {
      throw toFailure(new UsageError(`A draft of ${this.base.ref} stages its files on one host; ${from.hostQueue} differs from ${other.hostQueue}. Save one draft per host.`));
    }
    this.adds.push(from);
    return this;
  }

  /** Removes an entry path (or a folder of entries) from the new version. */
  remove(entryPath: string): this {
    this.removes.push(entryPath);
    return this;
  }

  async save(options: Pick<WorkflowArtifactSpec, 'aliases' | 'description' | 'metadata'> = {}): Promise<SavedWorkflowDraft> {
    const workflowId = nextCallId('draft', this.base.name);
    // Removes alone need no host: the calling workflow's own queue records them.
    const hostQueue = this.adds[0]?.hostQueue ?? workflowInfo().taskQueue;
    const { specDigest } = await onHostOf({ hostQueue }).recordHostFiles({ from: this.adds, removes: this.removes });
    const caller = callerOf();
    const result = await executeChild(incrementalArtifactWorkflow, {
      workflowId,
      args: [{
        name: this.base.name, type: this.base.type, specDigest, hostQueue, baseIndex: this.baseRecord.index, baseRoot: this.baseRecord.manifest.root,
        aliases: options.aliases ?? [], ...described(options), run: caller.workflowId, caller,
      }],
    });
    for (const from of this.adds) await releaseFolder(from);
    return { ...workflowVersionOf(result.version), created: result.created, basedOn: result.basedOn };
  }
}
