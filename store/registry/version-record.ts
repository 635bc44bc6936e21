import type { ManifestRef } from '../manifest/manifest';
import type { Producer } from './producer';
import { splitName } from './ref';

export interface VersionRecord {
  /** The name with its project, `project/name`, or just `name` in the default project (see qualifiedName). */
  readonly name: string;
  readonly project: string;
  readonly type: string;
  readonly index: number;
  /** `v0`, `v1`, ... */
  readonly version: string;
  readonly digest: string;
  readonly manifest: ManifestRef;
  readonly aliases: readonly string[];
  /** Labels that, unlike aliases, many versions may share. */
  readonly tags: readonly string[];
  readonly description: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  /** The version an incremental draft started from. */
  readonly base: string | null;
  readonly producer: Producer | null;
  readonly createdAt: string;
  /** When a TTL (its own, or its type's default) lets gc delete it; null: kept until deleted. */
  readonly expiresAt: string | null;
  /** Set once deleted: the version stays in the registry as a tombstone for lineage; its ref fails saying so. */
  readonly deleted: Tombstone | null;
}

/** When a version was deleted and by whom (a user, or gc for a TTL or a retention rule). */
export interface Tombstone {
  readonly at: string;
  readonly by: string;
}

export interface CommitInput {
  /** With its project (see qualifiedName): `project/name`, or `name` in the default project. */
  readonly name: string;
  readonly type: string;
  readonly manifest: ManifestRef;
  readonly aliases?: readonly string[];
  readonly description?: string | undefined;
  readonly metadata?: Readonly<Record<string, unknown>> | undefined;
  /** One key per logical commit (derived from the workflow id): a retried or replayed commit returns the first result. */
  readonly idempotencyKey: string;
  readonly producer?: Producer | undefined;
  readonly baseIndex?: number | undefined;
  /** Versions this one was made from (lineage). */
  readonly uses?: readonly { name: string; index: number }[] | undefined;
  /** Lets gc delete the version this long after its commit; without it, its type's default TTL applies, if any. */
  readonly ttlMs?: number | undefined;
  /** Commit only while `latest` is this index (a rebased draft); otherwise nothing is written and `stale` is set. */
  readonly expectLatest?: number | undefined;
  /** What changed since the manifest `baseRoot` (see version-deltas.ts), recorded with the version when it is new. */
  readonly delta?: { readonly baseRoot: string; readonly baseIndex?: number | undefined; readonly changes: string } | undefined;
}

export interface CommitResult {
  readonly version: VersionRecord;
  /** False when the content equalled an existing version (no new version) or the key had committed before. */
  readonly created: boolean;
  /** Set when `expectLatest` no longer held: `version` is the current `latest`, and nothing was committed. */
  readonly stale?: boolean;
}

export interface ArtifactSummary {
  /** With its project, as in VersionRecord. */
  readonly name: string;
  readonly project: string;
  readonly type: string;
  readonly versions: number;
  readonly latest: string;
  readonly updatedAt: string;
}

/** A `versions` row joined with its artifact's type, as VERSION_COLUMNS selects it. */
export interface VersionRow {
  name: string; type: string; idx: number | string; digest: string; manifest_root: string; file_count: number | string;
  total_size: number | string; description: string | null; metadata: string; base_idx: number | string | null;
  producer: string | null; created_at: string; expires_at: string | null; deleted_at: string | null; deleted_by: string | null;
}

export const VERSION_COLUMNS = `v.name, a.type, v.idx, v.digest, v.manifest_root, v.file_count, v.total_size, v.description,
  v.metadata, v.base_idx, v.producer, v.created_at, v.expires_at, v.deleted_at, v.deleted_by`;

export function toRecord(r: VersionRow, aliases: readonly string[], tags: readonly string[]): VersionRecord {
  const index = Number(r.idx);
  return {
    name: r.name,
    project: splitName(r.name).project,
    type: r.type,
    index,
    version: `v${index}`,
    digest: r.digest,
    manifest: { root: r.manifest_root, digest: r.digest, count: Number(r.file_count), size: Number(r.total_size) },
    aliases: [...aliases].sort((a, b) => (a === 'latest' ? -1 : b === 'latest' ? 1 : a.localeCompare(b))),
    tags,
    description: r.description,
    metadata: JSON.parse(r.metadata) as Record<string, unknown>,
    base: r.base_idx === null ? null : `v${r.base_idx}`,
    producer: r.producer ? (JSON.parse(r.producer) as Producer) : null,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    deleted: r.deleted_at === null ? null : { at: r.deleted_at, by: r.deleted_by ?? 'unknown' },
  };
}
