import { fileURLToPath } from 'node:url';
import { blake3 } from '../blobs/digest';
import { hashOrigin, OriginError } from '../references/origin';
import { statSourceFile } from '../blobs/source-file';
import type { ManifestEntry } from '../manifest/manifest';
import { joinEntryPath, normalizeEntryPath } from '../paths';
import type { ArtifactSpec } from './spec';
import { walkDir, type SkippedPath } from './walk';
import { LocalFileError, UsageError } from '../../errors';

/** Where one entry of the artifact comes from: a local file, a reference, or a JSON value. */
export type Source =
  | FileSource
  | { readonly kind: 'ref'; readonly uri: string; readonly checksum: boolean; readonly size: number }
  | { readonly kind: 'value'; readonly json: string; readonly size: number };

export interface FileSource {
  readonly kind: 'file';
  readonly local: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly hardLink: boolean;
}

/**
 * Applies a spec's operations in order: a later add of the same path replaces the earlier one, and remove drops
 * a path or a whole folder prefix. Paths a folder walk does not follow are added to `skipped`.
 */
export function resolveSpec(spec: ArtifactSpec, skipped: SkippedPath[]): Map<string, Source> {
  const sources = new Map<string, Source>();
  for (const op of spec.ops) {
    switch (op.op) {
      case 'file': {
        const st = statSourceFile(op.local);
        sources.set(normalizeEntryPath(op.path), { kind: 'file', local: op.local, size: st.size, mtimeMs: st.mtimeMs, hardLink: op.hardLinkIntoStore === true });
        break;
      }
      case 'dir':
        for (const f of walkDir(op.local, skipped)) {
          sources.set(joinEntryPath(op.prefix, f.rel), { kind: 'file', local: f.local, size: f.size, mtimeMs: f.mtimeMs, hardLink: op.hardLinkIntoStore === true });
        }
        break;
      case 'ref':
        sources.set(normalizeEntryPath(op.path), { kind: 'ref', uri: op.uri, checksum: op.checksum, size: op.size ?? referenceSize(op.uri) });
        break;
      case 'value':
        sources.set(normalizeEntryPath(op.path), { kind: 'value', json: op.json, size: Buffer.byteLength(op.json) });
        break;
      case 'remove':
        removeEntries(sources, op.path);
        break;
    }
  }
  return sources;
}

function removeEntries(sources: Map<string, Source>, name: string): void {
  const target = normalizeEntryPath(name);
  let removed = sources.delete(target);
  for (const p of [...sources.keys()]) if (p.startsWith(`${target}/`)) removed = sources.delete(p) || removed;
  if (!removed) throw new UsageError(`remove(${JSON.stringify(name)}) matches no entry of the artifact; check the name against the files you added.`);
}

function referenceSize(uri: string): number {
  return uri.startsWith('file://') ? statSourceFile(fileURLToPath(uri)).size : 0;
}

/**
 * A reference's digest is the BLAKE3 of the bytes at its origin now (file, HTTP(S), S3), so a download can tell
 * when the origin changed; unchecked, it is the BLAKE3 of the URI (SHA-256 in older versions) and its size 0.
 */
export async function referenceEntry(entryPath: string, uri: string, checksum: boolean): Promise<ManifestEntry> {
  if (!checksum) return { path: entryPath, digest: blake3(uri), size: 0, ref: uri };
  try {
    const { digest, size } = await hashOrigin(uri);
    return { path: entryPath, digest, size, ref: uri };
  } catch (err) {
    if (!(err instanceof OriginError)) throw err;
    if (uri.startsWith('file://')) throw new LocalFileError(fileURLToPath(uri), err.reason);
    throw new UsageError(`Cannot add the reference ${entryPath}: ${err.message}. Check the URI (and for s3:// the AWS_* variables), or pass { checksum: false } to record the URI only.`);
  }
}
