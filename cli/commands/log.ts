import fs from 'node:fs';
import { keyValues } from '../args';
import { command, JSON_OPTION } from '../command';
import { formatBytes, ProgressBar, shortDigest, warnSkipped } from '../output';
import { Artifact, init } from '../../client';
import { UsageError } from '../../errors';

const USAGE = 'artifacts log PATH... --name NAME --type TYPE [--alias A]... [--metadata k=v]... [--description TEXT] [--no-checksum] [--max-objects N] [--ttl 30d] [--run-id ID] [--json]';
/** A positional that is a reference rather than a local path. */
const URI = /^(file|https?|s3):\/\//;

/**
 * Logs files, folders and references (file://, http(s)://, s3:// URIs) as a new version (simple mode). Folders are
 * added with their contents at the root; an s3:// prefix with its objects.
 */
export const logCommand = command({
  summary: 'Log files, folders and references (file://, http(s)://, s3:// URIs) as a new version of NAME (a folder\'s contents go at the root).',
  usage: USAGE,
  options: {
    name: { type: 'string', value: 'NAME', help: 'the artifact name (required)' },
    type: { type: 'string', value: 'TYPE', help: 'its type, such as dataset or model (required)' },
    alias: { type: 'string', multiple: true, value: 'A', help: 'point this alias at the new version' },
    ttl: { type: 'string', value: 'DURATION', help: 'let gc delete the version this long after its commit (30d, 12h)' },
    metadata: { type: 'string', multiple: true, value: 'k=v', help: 'a metadata entry (JSON values keep their type)' },
    description: { type: 'string', value: 'TEXT', help: 'a description of the version' },
    'no-checksum': { type: 'boolean', help: 'record references without fetching them to checksum them' },
    'max-objects': { type: 'string', value: 'N', help: 'the most objects an s3:// prefix reference may hold' },
    'run-id': { type: 'string', value: 'ID', help: 'name this log; given again (after a crash) it attaches to the same write instead of starting another' },
    json: JSON_OPTION,
  },
  run: async ({ values, positionals }) => {
    if (!values.name || !values.type) throw new UsageError(`--name and --type are required. Usage: ${USAGE}`);
    if (positionals.length === 0) throw new UsageError(`Give at least one file or folder to log. Usage: ${USAGE}`);
    const artifact = new Artifact(values.name, values.type, { metadata: keyValues(values.metadata, '--metadata'), ...(values.description ? { description: values.description } : {}) });
    const maxObjects = values['max-objects'] === undefined ? undefined : Number(values['max-objects']);
    for (const p of positionals) {
      if (URI.test(p)) artifact.addReference(p, { checksum: !values['no-checksum'], ...(maxObjects === undefined ? {} : { maxObjects }) });
      else if (fs.existsSync(p) && fs.statSync(p).isDirectory()) artifact.addDir(p);
      else artifact.addFile(p);
    }
    // With a run id this process also serves its host's queue, so it takes over the file work of the crashed one.
    const run = await init(values['run-id'] ? { id: values['run-id'], hostWork: 'host' } : {});
    const bar = new ProgressBar('hashing+uploading');
    try {
      const v = await run.logArtifact(artifact, { aliases: values.alias ?? [], ...(values.ttl ? { ttl: values.ttl } : {}), onProgress: (p) => bar.update(p) });
      bar.done();
      if (values.json) {
        console.log(JSON.stringify({ ...v.toJSON(), created: v.created, stage: v.stage }, null, 2));
      } else {
        console.log(`${v.created ? 'created' : 'unchanged, same content as'} ${v.ref}  (${v.fileCount} files, ${formatBytes(v.size)}, digest ${shortDigest(v.digest)})`);
        console.log(`aliases: ${v.aliases.join(', ')}`);
        console.log(`stored ${formatBytes(v.stage.bytesWritten)} new bytes${v.stage.resumedBytes ? `, resumed ${formatBytes(v.stage.resumedBytes)}` : ''}`);
        warnSkipped(v.stage.skipped);
      }
      return 0;
    } finally {
      bar.done();
      await run.finish();
    }
  },
});
