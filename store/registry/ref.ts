import { InvalidRefError, UsageError, AliasError } from '../../errors';

/**
 * A parsed artifact ref: `name`, `name:vN`, `name:alias` or `name@digest` (a digest prefix of 8+ hex digits, with
 * or without its algorithm: `blake3:`, `sha256:`), each optionally `project/name...`. `name` is as written: with its project when the ref names one.
 */
export type ArtifactRef =
  | { readonly name: string; readonly kind: 'version'; readonly index: number }
  | { readonly name: string; readonly kind: 'alias'; readonly alias: string }
  | { readonly name: string; readonly kind: 'digest'; readonly digest: string };

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const ALIAS = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** The project of everything logged before projects existed, and of a caller that names none. */
export const DEFAULT_PROJECT = 'default';

/** Throws UsageError unless `project` is a valid project name. */
export function checkProjectName(project: string): string {
  if (typeof project !== 'string' || !NAME.test(project)) {
    throw new UsageError(`Invalid project name ${JSON.stringify(project)}: use 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit.`);
  }
  return project;
}

/**
 * The registry's name of `name` in `project`: `project/name`, except in the default project, where it is the bare
 * name, so that names, refs and workflow ids made before projects existed stay valid without rewriting anything.
 * A name that says its project (`other/name`) keeps it.
 */
export function qualifiedName(project: string, name: string): string {
  const slash = typeof name === 'string' ? name.indexOf('/') : -1;
  const owner = checkProjectName(slash < 0 ? project : name.slice(0, slash));
  const bare = checkArtifactName(slash < 0 ? name : name.slice(slash + 1));
  return owner === DEFAULT_PROJECT ? bare : `${owner}/${bare}`;
}

/** The project and the bare name of a registry name (see qualifiedName). */
export function splitName(qualified: string): { readonly project: string; readonly name: string } {
  const slash = qualified.indexOf('/');
  return slash < 0 ? { project: DEFAULT_PROJECT, name: qualified } : { project: qualified.slice(0, slash), name: qualified.slice(slash + 1) };
}

/** Throws UsageError unless `name` is a valid artifact name. */
export function checkArtifactName(name: string): string {
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new UsageError(`Invalid artifact name ${JSON.stringify(name)}: use 1-128 letters, digits, ".", "_" or "-", starting with a letter or digit.`);
  }
  return name;
}

/** Throws AliasError unless `alias` may be set by a user (not `latest`, not a version like `v3`). */
export function checkAlias(alias: string): string {
  if (typeof alias !== 'string' || !ALIAS.test(alias)) {
    throw new AliasError(`Invalid alias ${JSON.stringify(alias)}: use 1-128 letters, digits, ".", "_" or "-".`);
  }
  if (alias === 'latest') throw new AliasError('The alias "latest" is managed automatically: it always points at the newest version.');
  if (/^v\d+$/.test(alias)) throw new AliasError(`The alias ${JSON.stringify(alias)} looks like a version number; pick a name that does not, such as "best" or "prod".`);
  return alias;
}

export function parseRef(ref: string): ArtifactRef {
  if (typeof ref !== 'string' || ref.length === 0) throw new InvalidRefError(String(ref), 'it is empty');
  const at = ref.indexOf('@');
  const colon = ref.indexOf(':');
  if (at >= 0 && (colon < 0 || at < colon)) {
    const name = ref.slice(0, at);
    const digest = ref.slice(at + 1);
    if (!isRefName(name)) throw new InvalidRefError(ref, 'the name part is not a valid artifact name');
    if (!/^((blake3|sha256):)?[0-9a-f]{8,64}$/.test(digest)) throw new InvalidRefError(ref, 'the digest must be 8 to 64 lowercase hex digits, optionally after blake3: or sha256:');
    return { name, kind: 'digest', digest };
  }
  const name = colon < 0 ? ref : ref.slice(0, colon);
  const tag = colon < 0 ? 'latest' : ref.slice(colon + 1);
  if (!isRefName(name)) throw new InvalidRefError(ref, 'the name part is not a valid artifact name');
  const version = /^v(\d+)$/.exec(tag);
  if (version) return { name, kind: 'version', index: Number(version[1]) };
  if (!ALIAS.test(tag)) throw new InvalidRefError(ref, 'the part after ":" is neither a version (v3) nor an alias');
  return { name, kind: 'alias', alias: tag };
}

export function formatRef(ref: ArtifactRef): string {
  if (ref.kind === 'version') return `${ref.name}:v${ref.index}`;
  if (ref.kind === 'alias') return `${ref.name}:${ref.alias}`;
  return `${ref.name}@${ref.digest}`;
}

/** `ref` with its name qualified in `project` (see qualifiedName): the ref means the same wherever it is read. */
export function refInProject(ref: ArtifactRef, project: string): ArtifactRef {
  return { ...ref, name: qualifiedName(project, ref.name) };
}

function isRefName(name: string): boolean {
  const parts = name.split('/');
  return parts.length <= 2 && parts.every((part) => NAME.test(part));
}
