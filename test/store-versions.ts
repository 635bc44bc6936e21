import path from 'node:path';
import { Store, downloadVersion, writeManifest } from 'temporal-artifacts/internal';
import { tempDir, writeFiles } from './helpers';

/** Stores `files` as blobs and writes their manifest; returns its root. No Temporal, no registry row. */
export async function logged(store: Store, files: Record<string, string | Buffer>): Promise<string> {
  const src = writeFiles(files);
  const entries = [];
  for (const rel of Object.keys(files)) {
    const r = await store.blobs.ingestFile(path.join(src, rel));
    entries.push({ path: rel, digest: r.digest, size: r.size });
  }
  return (await writeManifest(store.blobs, entries)).root;
}

type Download = (dir: string, root?: string, options?: Parameters<typeof downloadVersion>[3]) => ReturnType<typeof downloadVersion>;

/** A store (in `home`, else a fresh folder) with one version of `files` (its manifest root), and a way to download it. */
export async function versionOf(files: Record<string, string | Buffer>, home = tempDir('artifacts-store-')): Promise<{ store: Store; root: string; download: Download }> {
  const store = await Store.fromConfig({ home });
  const root = await logged(store, files);
  const download: Download = (dir, r = root, options) => downloadVersion(store, { name: 'stored', version: 'v0', manifest: { root: r } } as never, dir, options);
  return { store, root, download };
}
