/**
 * What an Artifact (or a draft) intends: an ordered list of operations recorded synchronously by `addFile`,
 * `addDir`, `addReference`, `add` and `remove`, applied in order when the artifact is staged. The spec is
 * stored as a blob and passed by digest, so workflow history never holds a file list.
 *
 * `hardLinkIntoStore` (an explicit opt-in on addFile/addDir) lets a local store keep a hard link to the user's file
 * instead of a copy: no bytes written, but editing that file in place afterwards corrupts the stored version.
 */
export type SpecOp =
  | { readonly op: 'file'; readonly local: string; readonly path: string; readonly hardLinkIntoStore?: true }
  | { readonly op: 'dir'; readonly local: string; readonly prefix: string; readonly hardLinkIntoStore?: true }
  | ReferenceOp
  | { readonly op: 'value'; readonly path: string; readonly json: string }
  | { readonly op: 'remove'; readonly path: string };

/**
 * A reference. A checksummed `s3://` one may name a prefix: its `path` is then the folder its objects go under ('' for the
 * root) and staging expands it into one `expanded` reference per object (at most `maxObjects`), with its size.
 */
export interface ReferenceOp {
  readonly op: 'ref';
  readonly uri: string;
  readonly path: string;
  readonly checksum: boolean;
  readonly maxObjects?: number | undefined;
  readonly size?: number | undefined;
  readonly expanded?: true | undefined;
}

export interface ArtifactSpec {
  readonly format: 'temporal-artifacts/spec@1';
  readonly ops: readonly SpecOp[];
}
