/**
 * The store: a blob store and a registry, opened together from one configuration. It knows nothing of Temporal;
 * the client layer, the activities and the benches open it with `Store.fromConfig`.
 */
import path from 'node:path';
import type { BlobStore } from './blobs/blob-store';
import { CachedBlobStore } from './blobs/cached-blob-store';
import { LocalBlobStore } from './blobs/local-blob-store';
import { ReadCache } from './blobs/read-cache';
import { markDataFolder } from './data-folder';
import { PgDb } from './registry/pg-db';
import { Registry } from './registry/registry';
import { S3BlobStore } from './blobs/s3-blob-store';
import type { SqlDb } from './registry/sql-db';
import { SqliteDb } from './registry/sqlite-db';
import type { ArtifactSpec } from './staging/spec';
import { ConfigError, UsageError } from '../errors';

/** Where the store lives: the part of the configuration (runtime/config.ts reads it from the environment) the store needs. */
export interface StoreConfig {
  /** The data folder (blobs, registry) of the embedded default. */
  readonly home: string;
  /** `sqlite:///path` (default `<home>/registry.db`) or `postgres://user:password@host:port/database`. */
  readonly registryUrl?: string | undefined;
  /** `file:///path` (default `<home>/blobs`) or `s3://bucket/prefix` (endpoint and credentials from the AWS variables). */
  readonly blobUrl?: string | undefined;
  /** Cap of the local read cache of a remote blob store, under `<home>/cache` (default 20 GiB; 0: no cache). */
  readonly readCacheBytes?: number | undefined;
}

const DEFAULT_READ_CACHE_BYTES = 20 * 1024 ** 3;

/** The most metadata (as JSON) one version keeps; registry rows and the commit stay small. */
export const MAX_METADATA_BYTES = 1024 * 1024;

/** The blob store and the registry, opened together. Knows nothing of Temporal. */
export class Store {
  private open = true;

  /** `home`: the data folder, where read-side state (the download stat caches, the blob read cache) is kept. */
  private constructor(readonly blobs: BlobStore, readonly registry: Registry, readonly home: string) {}

  /** Opens the blob store and the registry a configuration names (the embedded default's under `home` when it names none). */
  static async fromConfig(config: StoreConfig): Promise<Store> {
    markDataFolder(config.home);
    const blobs = withReadCache(openBlobStore(config.blobUrl ?? `file://${path.join(config.home, 'blobs')}`), config);
    const registry = await Registry.open(openDb(config.registryUrl ?? `sqlite://${path.join(config.home, 'registry.db')}`));
    return new Store(blobs, registry, config.home);
  }

  async putSpec(spec: ArtifactSpec): Promise<string> {
    return this.blobs.putBytes(Buffer.from(JSON.stringify(spec)));
  }

  /**
   * Stores a version's metadata as a blob and returns its digest: workflow history carries the digest, never the
   * metadata, and the commit reads it back. Over MAX_METADATA_BYTES it is refused here, before anything starts.
   */
  async putMetadata(metadata: Readonly<Record<string, unknown>>, of: string): Promise<string> {
    const bytes = Buffer.from(JSON.stringify(metadata));
    if (bytes.length > MAX_METADATA_BYTES) {
      throw new UsageError(`The metadata of ${of} is ${bytes.length} bytes as JSON; a version keeps at most ${MAX_METADATA_BYTES} (1 MiB). Store large values as files of the artifact and keep their path or a summary in metadata.`);
    }
    return this.blobs.putBytes(bytes);
  }

  async getMetadata(digest: string): Promise<Record<string, unknown>> {
    return JSON.parse((await this.blobs.getBytes(digest)).toString('utf8')) as Record<string, unknown>;
  }

  async getSpec(digest: string): Promise<ArtifactSpec> {
    return JSON.parse((await this.blobs.getBytes(digest)).toString('utf8')) as ArtifactSpec;
  }

  /** Whether the registry is still open (the blobs stay readable after close: they hold no connection to end). */
  get isOpen(): boolean {
    return this.open;
  }

  async close(): Promise<void> {
    this.open = false;
    await this.registry.close();
  }
}

/** Whether a blob store URL (undefined: the embedded default) names a local folder: file:///path or a plain path. */
export function isLocalBlobUrl(url: string | undefined): boolean {
  return url === undefined || url.startsWith('file://') || !url.includes('://');
}

function openBlobStore(url: string): BlobStore {
  if (url.startsWith('s3://')) return new S3BlobStore(url);
  if (isLocalBlobUrl(url)) return new LocalBlobStore(url.startsWith('file://') ? url.slice('file://'.length) : path.resolve(url));
  throw new ConfigError(`Unsupported blob store ${JSON.stringify(url)}: use file:///path or s3://bucket/prefix (or leave ARTIFACTS_STORE unset for the embedded default).`);
}

/** A remote store's reads go through a local cache in the data folder, shared by its processes (unless capped at 0). */
function withReadCache(blobs: BlobStore, config: StoreConfig): BlobStore {
  const cap = config.readCacheBytes ?? DEFAULT_READ_CACHE_BYTES;
  if (blobs instanceof LocalBlobStore || cap === 0) return blobs;
  return new CachedBlobStore(blobs, new ReadCache(path.join(config.home, 'cache'), cap));
}

function openDb(url: string): SqlDb {
  if (url.startsWith('sqlite://')) return new SqliteDb(url.slice('sqlite://'.length));
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) return new PgDb(url);
  if (!url.includes('://')) return new SqliteDb(path.resolve(url));
  throw new ConfigError(`Unsupported registry ${JSON.stringify(url)}: use sqlite:///path or postgres://user:password@host:port/database (or leave ARTIFACTS_REGISTRY unset for the embedded default).`);
}
