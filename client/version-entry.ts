import { Readable } from 'node:stream';
import type { ManifestEntry } from '../store/manifest/manifest';
import { downloadEntry, readEntry } from '../store/reading/entry';
import type { Store } from '../store/store';

/**
 * One file of a version, found without downloading the others. Every byte it serves is checked against `digest`:
 * a file up to 16 MiB is served only once all of it matched; a larger one streams, and a mismatch ends the stream
 * with an IntegrityError instead of a normal end.
 *
 *   const entry = await (await api.artifact('model:latest')).getEntry('config.json');
 *   const config = JSON.parse((await entry.bytes()).toString());
 *   await entry.download('/tmp/weights.bin');
 */
export class VersionEntry {
  readonly path: string;
  readonly size: number;
  /** The digest of the bytes with its algorithm (`blake3:...`; `sha256:...` in older versions); for a reference made with `checksum: false`, of its URI. */
  readonly digest: string;
  /** For references: the URI the bytes are fetched from. */
  readonly ref: string | undefined;

  constructor(private readonly entry: ManifestEntry, private readonly store: () => Promise<Store>) {
    this.path = entry.path;
    this.size = entry.size;
    this.digest = entry.digest;
    this.ref = entry.ref;
  }

  /** The bytes as a verified async stream of chunks. */
  async *chunks(): AsyncIterable<Uint8Array> {
    yield* readEntry(await this.store(), this.entry);
  }

  /** The bytes as a Node stream, verified like `chunks()`. */
  open(): Readable {
    return Readable.from(this.chunks(), { objectMode: false });
  }

  /** All the bytes, once they matched. */
  async bytes(): Promise<Buffer> {
    const parts: Uint8Array[] = [];
    for await (const chunk of this.chunks()) parts.push(chunk);
    return Buffer.concat(parts);
  }

  /** Writes the file to `file` (renamed into place only once it matched) and returns its absolute path. */
  async download(file: string): Promise<string> {
    return downloadEntry(await this.store(), this.entry, file);
  }
}
