/**
 * Versioned registry migrations, applied in order on open. Each entry is plain SQL that both SQLite and
 * PostgreSQL accept (TEXT, BIGINT, no engine-specific types), so one list serves both. Never edit an entry that
 * shipped: a data folder made by an earlier release upgrades by running the entries after its last one
 * (test/registry-upgrade.test.ts opens such a folder).
 */
export const MIGRATIONS: readonly (readonly string[])[] = [
  [
    `CREATE TABLE IF NOT EXISTS artifacts (
       name TEXT PRIMARY KEY,
       type TEXT NOT NULL,
       created_at TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS versions (
       name TEXT NOT NULL REFERENCES artifacts(name),
       idx BIGINT NOT NULL,
       digest TEXT NOT NULL,
       manifest_root TEXT NOT NULL,
       file_count BIGINT NOT NULL,
       total_size BIGINT NOT NULL,
       description TEXT,
       metadata TEXT NOT NULL,
       base_idx BIGINT,
       producer TEXT,
       created_at TEXT NOT NULL,
       PRIMARY KEY (name, idx))`,
    `CREATE INDEX IF NOT EXISTS versions_by_digest ON versions (name, digest)`,
    `CREATE TABLE IF NOT EXISTS aliases (
       name TEXT NOT NULL,
       alias TEXT NOT NULL,
       idx BIGINT NOT NULL,
       PRIMARY KEY (name, alias),
       FOREIGN KEY (name, idx) REFERENCES versions(name, idx))`,
    `CREATE TABLE IF NOT EXISTS commits (
       idempotency_key TEXT PRIMARY KEY,
       name TEXT NOT NULL,
       idx BIGINT NOT NULL,
       created INTEGER NOT NULL,
       created_at TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS version_uses (
       name TEXT NOT NULL,
       idx BIGINT NOT NULL,
       used_name TEXT NOT NULL,
       used_idx BIGINT NOT NULL,
       PRIMARY KEY (name, idx, used_name, used_idx))`,
  ],
  // Pipeline step cache (step-cache.ts): a step's or a shard's recorded result by its cache key, shared by every host.
  [
    `CREATE TABLE IF NOT EXISTS step_cache (
       cache_key TEXT PRIMARY KEY,
       kind TEXT NOT NULL,
       pipeline TEXT NOT NULL,
       step TEXT NOT NULL,
       run TEXT NOT NULL,
       outputs TEXT NOT NULL,
       manifest_root TEXT,
       hits BIGINT NOT NULL DEFAULT 0,
       created_at TEXT NOT NULL,
       last_hit_at TEXT)`,
  ],
  // 3: projects. A name's registry key is `project/name` (the bare name in the default project, see
  // qualifiedName), so every name logged before lands in `default` with nothing rewritten; the column lists a project.
  [
    `ALTER TABLE artifacts ADD COLUMN project TEXT NOT NULL DEFAULT 'default'`,
    `CREATE INDEX IF NOT EXISTS artifacts_by_project ON artifacts (project, name)`,
  ],
  // 4: workflows that used a version (`useArtifact` inside a user's workflow), for lineage (consumers.ts).
  [
    `CREATE TABLE IF NOT EXISTS version_consumers (
       name TEXT NOT NULL,
       idx BIGINT NOT NULL,
       workflow_id TEXT NOT NULL,
       run_id TEXT NOT NULL,
       workflow_type TEXT NOT NULL,
       used_at TEXT NOT NULL,
       PRIMARY KEY (name, idx, workflow_id, run_id))`,
  ],
  // 5: edits after a commit (version-edits.ts): tags, the record of every alias move and edit (who and when), and the aliases each
  // project protects. Content and digest never change, so no column of `versions` is touched.
  [
    `CREATE TABLE IF NOT EXISTS version_tags (
       name TEXT NOT NULL,
       idx BIGINT NOT NULL,
       tag TEXT NOT NULL,
       PRIMARY KEY (name, idx, tag))`,
    `CREATE TABLE IF NOT EXISTS version_changes (
       name TEXT NOT NULL,
       seq BIGINT NOT NULL,
       idx BIGINT NOT NULL,
       change TEXT NOT NULL,
       detail TEXT NOT NULL,
       actor TEXT NOT NULL,
       at TEXT NOT NULL,
       PRIMARY KEY (name, seq))`,
    `CREATE TABLE IF NOT EXISTS protected_aliases (
       project TEXT NOT NULL,
       alias TEXT NOT NULL,
       actor TEXT NOT NULL,
       created_at TEXT NOT NULL,
       PRIMARY KEY (project, alias))`,
  ],
  // 6: deletes, TTLs and retention. A deleted version keeps its row (a tombstone lineage still names) with when and
  // by whom; expires_at is when gc may delete it; a name's retention rule and a type's default TTL (per project).
  [
    `ALTER TABLE versions ADD COLUMN expires_at TEXT`,
    `ALTER TABLE versions ADD COLUMN deleted_at TEXT`,
    `ALTER TABLE versions ADD COLUMN deleted_by TEXT`,
    `CREATE INDEX IF NOT EXISTS versions_by_expiry ON versions (expires_at)`,
    `ALTER TABLE artifacts ADD COLUMN retention TEXT`,
    `CREATE TABLE IF NOT EXISTS type_ttls (
       project TEXT NOT NULL,
       type TEXT NOT NULL,
       ttl_ms BIGINT NOT NULL,
       PRIMARY KEY (project, type))`,
  ],
  // 7: lineage of use. The runs that asked for a version (`run.useArtifact`), and on which host.
  [
    `CREATE TABLE IF NOT EXISTS run_uses (
       run_id TEXT NOT NULL,
       used_name TEXT NOT NULL,
       used_idx BIGINT NOT NULL,
       host TEXT NOT NULL,
       used_at TEXT NOT NULL,
       PRIMARY KEY (run_id, used_name, used_idx))`,
    `CREATE INDEX IF NOT EXISTS run_uses_by_version ON run_uses (used_name, used_idx)`,
  ],
  // 8: what changed in a version since the one that was latest when it was committed (version-deltas.ts), so a
  // download of it into a folder holding that one reads neither manifest.
  [
    `CREATE TABLE IF NOT EXISTS version_deltas (
       name TEXT NOT NULL,
       idx BIGINT NOT NULL,
       base_root TEXT NOT NULL,
       changes TEXT NOT NULL,
       PRIMARY KEY (name, idx, base_root))`,
  ],
  // 9: which version the changes are since (null in rows recorded before), so a download of a version a few commits
  // ahead of the one in the folder follows the versions' recorded changes back to it (version-deltas.ts).
  [`ALTER TABLE version_deltas ADD COLUMN base_idx BIGINT`],
];
