/**
 * Errors of a version's life after its commit: aliases that may only move deliberately, and drafts whose base
 * is no longer `latest`. Each is built from its `details` alone, so it crosses a workflow boundary as itself.
 */
import { ArtifactsError } from './artifacts-error';

export interface ProtectedAliasDetails {
  readonly artifactName: string;
  readonly alias: string;
  /** `vN` that holds the alias now. */
  readonly holder: string;
  /** What was asked: `move to vN` or `remove`. */
  readonly action: string;
}

/** Thrown when a protected alias (such as `production`) would move or go without `--force` / `{ force: true }`. */
export class ProtectedAliasError extends ArtifactsError<ProtectedAliasDetails> {
  override readonly code = 'ProtectedAliasError';
  constructor(details: ProtectedAliasDetails) {
    const { artifactName: name, alias, holder, action } = details;
    super(`The alias ${JSON.stringify(alias)} of ${JSON.stringify(name)} is protected and points at ${name}:${holder}; it was not changed (${action}). ` +
      `Move it deliberately with \`artifacts alias ${name}:VERSION ${alias} --force\` (or { force: true }); the move is recorded in \`artifacts history ${name}\`.`, details);
  }
}

export interface StaleDraftDetails {
  readonly artifactName: string;
  /** `vN` the draft was made from, and `vN` that is `latest` now. */
  readonly base: string;
  readonly latest: string;
  /** Paths the draft changed that were also changed between its base and `latest` (the first few). */
  readonly paths: readonly string[];
}

/**
 * Thrown when a draft made from an older version changes paths that were also changed since: applying it on
 * `latest` would silently drop one side's change.
 */
export class StaleDraftError extends ArtifactsError<StaleDraftDetails> {
  override readonly code = 'StaleDraftError';
  constructor(details: StaleDraftDetails) {
    const { artifactName: name, base, latest, paths } = details;
    super(`The draft of ${name}:${base} changes ${paths.map((p) => JSON.stringify(p)).join(', ')}, which ${paths.length === 1 ? 'was' : 'were'} also changed ` +
      `by ${name}:${latest} (now latest) since ${base}; nothing was committed. Make the draft again from ${name}:${latest}, or save it with ` +
      `{ onStale: 'branch' } to commit it on ${base} without the newer changes.`, details);
  }
}
