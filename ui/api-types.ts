/**
 * The shapes the JSON API answers with: the server builds them (artifact-views, lineage-view, run-views) and the
 * pages (web/) read them. Types only, so the browser bundle takes nothing else from the server's folder.
 */
export interface ArtifactRow { readonly name: string; readonly project: string; readonly type: string; readonly versions: number; readonly latest: string; readonly updatedAt: string }
export interface ArtifactListJson { readonly artifacts: readonly ArtifactRow[] }

export interface VersionRow {
  readonly ref: string; readonly version: string; readonly digest: string; readonly files: number; readonly size: number;
  readonly aliases: readonly string[]; readonly createdAt: string;
}
export interface VersionListJson { readonly name: string; readonly versions: readonly VersionRow[] }

export interface ProducerJson { readonly workflowId: string; readonly runId?: string; readonly run?: string; readonly caller?: { readonly workflowId: string; readonly runId: string; readonly workflowType: string } }
export interface VersionChangeJson { readonly version: string; readonly change: string; readonly detail: Readonly<Record<string, unknown>>; readonly actor: string; readonly at: string }
export interface VersionDetailJson {
  readonly ref: string; readonly name: string; readonly project: string; readonly type: string; readonly version: string; readonly digest: string;
  readonly aliases: readonly string[]; readonly tags: readonly string[]; readonly files: number; readonly size: number;
  readonly description: string | null; readonly metadata: Readonly<Record<string, unknown>>; readonly base: string | null;
  readonly producer: ProducerJson | null; readonly createdAt: string; readonly expiresAt: string | null;
  readonly uses: readonly string[]; readonly usedBy: readonly string[]; readonly history: readonly VersionChangeJson[];
  /** Temporal UI pages of the workflow that made it and of the user's workflow that asked for it, when a UI is known. */
  readonly links: { readonly producer: string | null; readonly caller: string | null };
}

export interface FolderRow { readonly kind: 'folder'; readonly name: string; files: number; size: number }
export interface FileRow { readonly kind: 'file'; readonly name: string; readonly path: string; readonly size: number; readonly digest: string; readonly ref: string | null }
export interface FolderJson { readonly ref: string; readonly prefix: string; readonly rows: readonly (FolderRow | FileRow)[]; readonly more: number }

export interface DiffRow { readonly kind: 'added' | 'removed' | 'modified'; readonly path: string; readonly before?: number; readonly after?: number; readonly digest: string }
export interface DiffJson {
  readonly from: string; readonly to: string; readonly chunksRead: number; readonly entries: readonly DiffRow[]; readonly more: number;
  readonly summary: { readonly added: number; readonly removed: number; readonly modified: number; readonly addedBytes: number; readonly removedBytes: number; readonly modifiedBytesDelta: number };
}

export interface GraphNode {
  readonly id: string;
  readonly kind: 'version' | 'run';
  readonly label: string;
  /** Second line: the type of a version, what kind of run a run is. */
  readonly detail: string;
  /** A version's ref (its page and its own expansion). */
  readonly ref?: string;
  readonly deleted?: boolean;
}
export interface GraphEdge { readonly from: string; readonly to: string; readonly kind: 'used' | 'produced' | 'base' }
export interface LineageJson { readonly nodes: readonly GraphNode[]; readonly edges: readonly GraphEdge[]; readonly center: string }

export interface RunRow { readonly runId: string; readonly pipeline: string | null; readonly state: string; readonly startedAt: string; readonly closedAt: string | null }
export interface RunListJson { readonly runs: readonly RunRow[] }

export type StepState = 'pending' | 'running' | 'done' | 'cached' | 'skipped' | 'failed' | 'cancelled';
export interface StepJson { readonly state: StepState; readonly ref?: string; readonly error?: string; readonly shards?: number; readonly shardsCached?: number; readonly outcome?: string; readonly cachedFrom?: string }
export interface RunJson {
  readonly runId: string; readonly state: string;
  readonly status: { readonly name: string; readonly steps: Readonly<Record<string, StepJson>> } | null;
  readonly progress: { readonly shardsDone: Readonly<Record<string, number>>; readonly bytes: Readonly<Record<string, { readonly done: number; readonly total: number }>> };
  readonly steps: readonly { readonly id: string; readonly needs: readonly string[]; readonly produces: string | null; readonly fanOut: boolean }[];
  readonly uiUrl: string | null;
}
