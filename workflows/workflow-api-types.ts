import type { VersionRecord } from '../store/registry/registry';

/**
 * Files on one host, named for a workflow: the host's queue (staging runs there, where the files are) and a folder
 * and/or single files. `outputsDir()` inside an activity gives one; `onHost()` names files on a host by its id.
 */
export interface HostFolder {
  /** The task queue of the host that has the files: `<ARTIFACTS_TASK_QUEUE>@<host id>`. */
  readonly hostQueue: string;
  /** A folder whose files are all added, under `prefix` (default: at the version's top). */
  readonly dir?: string;
  readonly prefix?: string;
  /** Single files; each `path` is the entry path in the version (default: the file's base name). */
  readonly files?: readonly { readonly local: string; readonly path?: string }[];
  /** Set by `outputsDir()`: the folder is an activity's own and is removed once its version is committed. */
  readonly removeAfterCommit?: boolean;
}

/** What a workflow logs, upserts or finishes: a name, a type and files on one host. */
export interface WorkflowArtifactSpec {
  readonly name: string;
  readonly type: string;
  readonly from: HostFolder;
  readonly aliases?: readonly string[];
  readonly description?: string;
  /** Small JSON metadata; it is recorded in the workflow's history (keep big things in files). */
  readonly metadata?: Readonly<Record<string, unknown>>;
}

/** A version a workflow call made, found or used. */
export interface WorkflowVersion {
  /** `name:vN`. */
  readonly ref: string;
  readonly name: string;
  readonly type: string;
  /** `vN`. */
  readonly version: string;
  readonly index: number;
  readonly digest: string;
  readonly fileCount: number;
  readonly totalSize: number;
  readonly aliases: readonly string[];
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface LoggedWorkflowVersion extends WorkflowVersion {
  /** False when the content equalled `latest` (or a retry of this call had made it already) and that one is returned. */
  readonly created: boolean;
}

/** Options of `upsertArtifact` and `finishArtifact` inside a workflow. */
export interface CollaborativeOptions {
  /** The draft all writers share. Default: the parent workflow's id (or this workflow's id when it has no parent). */
  readonly distributedId?: string;
  /** This writer's name in the draft. Default: this workflow's id. */
  readonly writer?: string;
}

/** What an upsert from a workflow did: staged and handed its files to the draft, or conflicted (an error is thrown). */
export interface WorkflowUpsert {
  readonly distributedId: string;
  readonly writer: string;
  readonly files: number;
}

/** The plain record a workflow gets back: no methods, nothing that needs the store. */
export function workflowVersionOf(v: VersionRecord): WorkflowVersion {
  return {
    ref: `${v.name}:${v.version}`, name: v.name, type: v.type, version: v.version, index: v.index, digest: v.digest,
    fileCount: v.manifest.count, totalSize: v.manifest.size, aliases: v.aliases, metadata: v.metadata,
  };
}

/**
 * Names files on a host by its id (`ARTIFACTS_HOST_ID` there, else its hostname) and the artifacts task queue its
 * worker serves (`ARTIFACTS_TASK_QUEUE`, default `temporal-artifacts`): `onHost('gpu-3', { dir: '/data/run-7' })`.
 */
export function onHost(host: string, files: Omit<HostFolder, 'hostQueue' | 'removeAfterCommit'>, taskQueue = 'temporal-artifacts'): HostFolder {
  return { ...files, hostQueue: `${taskQueue}@${host}` };
}
