import type { SqlDb } from './sql-db';

/** What a cache entry records: a whole step's outputs, or one fan-out shard's staged files. */
export type CacheKind = 'step' | 'shard';

export interface CacheEntry {
  readonly key: string;
  readonly kind: CacheKind;
  readonly pipeline: string;
  readonly step: string;
  /** The run whose result this is (shown as "cached from run ..."). */
  readonly run: string;
  /** The recorded result, as JSON-able data (a step's outputs, a shard's manifest reference). */
  readonly outputs: unknown;
  /** A shard's manifest root: its files are kept by gc while the entry exists (they may be in no version yet). */
  readonly manifestRoot?: string | undefined;
}

export interface CacheHit extends CacheEntry {
  readonly createdAt: string;
  /** Lookups that found this entry, this one included. */
  readonly hits: number;
}

interface CacheRow {
  cache_key: string; kind: string; pipeline: string; step: string; run: string; outputs: string;
  manifest_root: string | null; hits: number | string; created_at: string;
}

/**
 * Pipeline steps' results by cache key, in the registry, so every host of a deployment (sharing its SQLite file
 * or PostgreSQL database) finds what any of them recorded. The key is a digest of everything that determines
 * the step's output (see workflows/step-cache.ts); a lookup is one primary-key read plus a hit count update.
 */
export class StepCache {
  constructor(private readonly db: SqlDb) {}

  /** The entry recorded under `key`, counting the hit; undefined when none is. */
  async lookUp(key: string): Promise<CacheHit | undefined> {
    const row = (await this.db.all<CacheRow>('SELECT * FROM step_cache WHERE cache_key = ?', [key]))[0];
    if (!row) return undefined;
    await this.db.run('UPDATE step_cache SET hits = hits + 1, last_hit_at = ? WHERE cache_key = ?', [new Date().toISOString(), key]);
    return {
      key: row.cache_key, kind: row.kind as CacheKind, pipeline: row.pipeline, step: row.step, run: row.run,
      outputs: JSON.parse(row.outputs) as unknown, manifestRoot: row.manifest_root ?? undefined,
      createdAt: row.created_at, hits: Number(row.hits) + 1,
    };
  }

  /** Records (or replaces) the result under `entry.key`. */
  async record(entry: CacheEntry): Promise<void> {
    await this.db.run(
      `INSERT INTO step_cache (cache_key, kind, pipeline, step, run, outputs, manifest_root, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (cache_key) DO UPDATE SET kind = excluded.kind, pipeline = excluded.pipeline, step = excluded.step, run = excluded.run,
         outputs = excluded.outputs, manifest_root = excluded.manifest_root, created_at = excluded.created_at`,
      [entry.key, entry.kind, entry.pipeline, entry.step, entry.run, JSON.stringify(entry.outputs), entry.manifestRoot ?? null, new Date().toISOString()]);
  }

  /** Drops the entry under `key` (its result is gone, e.g. its version was deleted). */
  async forget(key: string): Promise<void> {
    await this.db.run('DELETE FROM step_cache WHERE cache_key = ?', [key]);
  }

  /** Manifest roots of recorded shards, which garbage collection keeps. */
  async manifestRoots(): Promise<string[]> {
    return (await this.db.all<{ manifest_root: string }>('SELECT DISTINCT manifest_root FROM step_cache WHERE manifest_root IS NOT NULL')).map((r) => r.manifest_root);
  }
}
