import { joinEntryPath } from '../paths';
import type { ArtifactSpec, SpecOp } from '../staging/spec';
import { listS3Reference } from './s3-objects';

/**
 * Replaces each checksummed `s3://` reference of a spec by one reference per object it names (a single object, or every
 * object under a prefix, placed under the reference's name by its key below the prefix), so the rest of staging
 * sees only references to single objects. Other operations pass through in order.
 */
export async function expandReferences(spec: ArtifactSpec): Promise<ArtifactSpec> {
  if (!spec.ops.some(isS3Reference)) return spec;
  const ops: SpecOp[] = [];
  for (const op of spec.ops) {
    if (!isS3Reference(op) || op.expanded) {
      ops.push(op);
      continue;
    }
    const objects = await listS3Reference(op.uri, op.maxObjects);
    const single = objects.length === 1 && objects[0]!.uri.split('?')[0] === op.uri.split('?')[0];
    for (const o of objects) {
      const name = single ? op.path || o.relative : joinEntryPath(op.path, o.relative);
      ops.push({ op: 'ref', uri: o.uri, path: name, checksum: op.checksum, size: o.size, expanded: true });
    }
  }
  return { ...spec, ops };
}

function isS3Reference(op: SpecOp): op is Extract<SpecOp, { op: 'ref' }> {
  return op.op === 'ref' && op.uri.startsWith('s3://') && op.checksum;
}
