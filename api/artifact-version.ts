import { readManifest, type ManifestEntry } from '../store/manifest';
import type { Producer, VersionRecord } from '../store/registry';
import type { Store } from '../store/store';
import { downloadVersion, verifyVersion, type DownloadResult, type VerifyReport } from '../store/version-files';
import type { StageSummary } from '../workflows/types';

/** A committed, immutable version of an artifact. Its files never change; aliases, description and metadata may. */
export class ArtifactVersion {
  readonly name: string;
  readonly type: string;
  /** `v0`, `v1`, ... */
  readonly version: string;
  readonly index: number;
  /** The canonical version digest (SHA-256 over the path-sorted (path, digest, size) list). */
  readonly digest: string;
  readonly aliases: readonly string[];
  readonly description: string | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  readonly fileCount: number;
  readonly size: number;
  readonly base: string | null;
  readonly producer: Producer | null;
  readonly createdAt: string;

  constructor(readonly record: VersionRecord, private readonly store: () => Promise<Store>) {
    this.name = record.name;
    this.type = record.type;
    this.version = record.version;
    this.index = record.index;
    this.digest = record.digest;
    this.aliases = record.aliases;
    this.description = record.description;
    this.metadata = record.metadata;
    this.fileCount = record.manifest.count;
    this.size = record.manifest.size;
    this.base = record.base;
    this.producer = record.producer;
    this.createdAt = record.createdAt;
  }

  /** `name:vN`. */
  get ref(): string {
    return `${this.name}:${this.version}`;
  }

  /** Streams the entries in path order, reading the manifest chunk by chunk. */
  async *entries(): AsyncGenerator<ManifestEntry> {
    yield* readManifest((await this.store()).blobs, this.record.manifest.root);
  }

  async files(): Promise<ManifestEntry[]> {
    const out: ManifestEntry[] = [];
    for await (const e of this.entries()) out.push(e);
    return out;
  }

  /** Writes every file under `directory`; never outside it. */
  async download(directory: string): Promise<DownloadResult> {
    return downloadVersion(await this.store(), this.record, directory);
  }

  /** Re-hashes every stored file; the report names each file whose bytes no longer match. */
  async verify(): Promise<VerifyReport> {
    return verifyVersion(await this.store(), this.record);
  }

  /** Points `alias` at this version (moving it off another version of the same name). */
  async addAlias(alias: string): Promise<void> {
    await (await this.store()).registry.setAlias(this.name, alias, this.index);
  }

  async removeAlias(alias: string): Promise<void> {
    await (await this.store()).registry.removeAlias(this.name, alias);
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name, type: this.type, version: this.version, digest: this.digest, aliases: this.aliases,
      files: this.fileCount, size: this.size, description: this.description, metadata: this.metadata,
      base: this.base, producer: this.producer, createdAt: this.createdAt,
    };
  }
}

/** What `logArtifact` returns: the version, whether it is new, and what staging did. */
export class LoggedVersion extends ArtifactVersion {
  constructor(record: VersionRecord, store: () => Promise<Store>, readonly created: boolean, readonly stage: StageSummary) {
    super(record, store);
  }
}
