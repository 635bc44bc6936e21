import type { ManifestEntry } from './manifest-chunk';
import type { ChunkReader } from './manifest-cursor';
import { diffManifests, type DiffEntry } from './manifest-diff';

/**
 * The differences from one manifest tree to another, kept as text (a JSON list), so that a download of the second
 * into a folder holding the first applies them without reading either tree (see store/registry/version-deltas.ts). Each item:
 * `["a", path, digest, size, ref?]` added, `["r", path, digest, size, ref?]` removed, and
 * `["m", path, digest, size, ref?, beforeDigest, beforeSize, beforeRef?]` modified; a ref absent is `null`.
 */
export type ChangesText = string;

/** What changed from `before` to `after`, in path order; undefined once there are more than `limit` changes. */
export async function changesBetween(reader: ChunkReader, before: string, after: string, limit: number): Promise<DiffEntry[] | undefined> {
  const out: DiffEntry[] = [];
  for await (const d of diffManifests(reader, before, after)) {
    if (out.length === limit) return undefined;
    out.push(d);
  }
  return out;
}

export function encodeChanges(changes: readonly DiffEntry[]): ChangesText {
  return JSON.stringify(changes.map((d) => {
    if (d.kind === 'added') return ['a', ...fieldsOf(d.after)];
    if (d.kind === 'removed') return ['r', ...fieldsOf(d.before)];
    return ['m', ...fieldsOf(d.after), d.before.digest, d.before.size, d.before.ref ?? null];
  }));
}

/**
 * The changes `text` holds, as the diff yields them; undefined when it is not such a list (a damaged or forged row of
 * the registry: the caller then reads the trees).
 */
export function decodeChanges(text: ChangesText): DiffEntry[] | undefined {
  let items: unknown;
  try {
    items = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(items)) return undefined;
  const out: DiffEntry[] = [];
  for (const item of items as unknown[]) {
    const d = changeOf(item);
    if (!d) return undefined;
    out.push(d);
  }
  return out;
}

function changeOf(item: unknown): DiffEntry | undefined {
  if (!Array.isArray(item)) return undefined;
  const [kind, ...rest] = item as unknown[];
  const entry = checkedEntry(rest[0], rest[1], rest[2], rest[3]);
  if (!entry) return undefined;
  if (kind === 'a' && rest.length === 4) return { kind: 'added', path: entry.path, after: entry };
  if (kind === 'r' && rest.length === 4) return { kind: 'removed', path: entry.path, before: entry };
  const before = checkedEntry(entry.path, rest[4], rest[5], rest[6]);
  if (kind === 'm' && rest.length === 7 && before) return { kind: 'modified', path: entry.path, before, after: entry };
  return undefined;
}

function fieldsOf(e: ManifestEntry): [string, string, number, string | null] {
  return [e.path, e.digest, e.size, e.ref ?? null];
}

/** An entry from untrusted fields (a registry row), or undefined when one is not of its type. */
function checkedEntry(path: unknown, digest: unknown, size: unknown, ref: unknown): ManifestEntry | undefined {
  if (typeof path !== 'string' || typeof digest !== 'string' || typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0) return undefined;
  if (ref !== null && typeof ref !== 'string') return undefined;
  return ref === null ? { path, digest, size } : { path, digest, size, ref };
}
