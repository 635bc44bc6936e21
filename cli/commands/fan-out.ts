import { randomUUID } from 'node:crypto';
import { keyValues } from '../args';
import { command, JSON_OPTION } from '../command';
import { formatBytes } from '../output';
import { runFanOut } from '../../client';
import { UsageError } from '../../errors';

const USAGE = 'artifacts fan-out --name NAME --type TYPE --shards N [--distributed-id ID] [--id WORKFLOW_ID] [--max-concurrent 500] ' +
  '[--min-success-ratio 1] [--attempts 3] [--prefix DIR] [--alias A]... [--metadata k=v]... [--no-worker] [--json] -- COMMAND ARG...';

/**
 * Runs COMMAND once per shard on whichever workers take the shards ({index}, {count} and {output} in its
 * arguments are replaced; ARTIFACTS_SHARD_INDEX, ARTIFACTS_SHARD_COUNT and ARTIFACTS_OUTPUT_DIR are set), and
 * commits everything the shards wrote to their output folders as one version.
 */
export const fanOutCommand = command({
  summary: 'Run COMMAND once per shard on whichever workers take the shards, and commit what they wrote as one version.',
  usage: USAGE,
  details: '{index}, {count} and {output} in the command are replaced; ARTIFACTS_SHARD_INDEX, ARTIFACTS_SHARD_COUNT and ARTIFACTS_OUTPUT_DIR are set.',
  options: {
    name: { type: 'string', value: 'NAME', help: 'the artifact name (required)' },
    type: { type: 'string', value: 'TYPE', help: 'its type (required)' },
    shards: { type: 'string', value: 'N', help: 'how many shards (required)' },
    'distributed-id': { type: 'string', value: 'ID', help: 'the draft the shards share (default: a fresh id)' },
    id: { type: 'string', value: 'WORKFLOW_ID', help: 'the fan-out workflow id (give it again to re-attach)' },
    'max-concurrent': { type: 'string', value: 'N', help: 'shards running at once (default 500)' },
    'min-success-ratio': { type: 'string', value: 'R', help: 'commit when at least this share of shards succeeded (default 1)' },
    attempts: { type: 'string', value: 'N', help: 'attempts per shard (default 3)' },
    prefix: { type: 'string', value: 'DIR', help: 'put every shard\'s files under this folder of the version' },
    use: { type: 'string', multiple: true, value: 'REF', help: 'a version every shard downloads on its host into ARTIFACTS_INPUTS_DIR/<name>, recorded as an input' },
    alias: { type: 'string', multiple: true, value: 'A', help: 'point this alias at the version' },
    metadata: { type: 'string', multiple: true, value: 'k=v', help: 'a metadata entry' },
    'no-worker': { type: 'boolean', help: 'run no worker in this process (standalone workers take the shards)' },
    json: JSON_OPTION,
  },
  run: async ({ values, positionals }) => {
    if (!values.name || !values.type || !values.shards) throw new UsageError(`--name, --type and --shards are required. Usage: ${USAGE}`);
    if (positionals.length === 0) throw new UsageError(`Give the shard command after --, such as -- python eval.py --shard {index}. Usage: ${USAGE}`);
    const shards = integer(values.shards, '--shards');
    const distributedId = values['distributed-id'] ?? randomUUID();
    const result = await runFanOut({
      name: values.name, type: values.type, distributedId, shards, command: { argv: positionals, cwd: process.cwd() },
      ...(values['max-concurrent'] ? { maxConcurrent: integer(values['max-concurrent'], '--max-concurrent') } : {}),
      ...(values['min-success-ratio'] ? { minSuccessRatio: ratio(values['min-success-ratio']) } : {}),
      ...(values.attempts ? { shardAttempts: integer(values.attempts, '--attempts') } : {}),
      ...(values.prefix ? { prefix: values.prefix } : {}),
      ...(values.use ? { uses: values.use } : {}),
      aliases: values.alias ?? [], metadata: keyValues(values.metadata, '--metadata'),
    }, { worker: !values['no-worker'], ...(values.id ? { workflowId: values.id } : {}) });
    if (values.json) {
      console.log(JSON.stringify(result, null, 2));
    } else {
      const v = result.version;
      console.log(`${result.created ? 'committed' : 'already committed as'} ${v.name}:${v.version}  (${v.manifest.count} files, ${formatBytes(v.manifest.size)}) from ${result.succeeded}/${result.shards} shards`);
      if (result.failedShards.length > 0) console.log(`failed shards (allowed by --min-success-ratio): ${result.failedShards.join(', ')}`);
    }
    return 0;
  },
});

function integer(raw: string, flag: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} ${JSON.stringify(raw)} must be a positive integer.`);
  return n;
}

function ratio(raw: string): number {
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0 || n > 1) throw new UsageError(`--min-success-ratio ${JSON.stringify(raw)} must be between 0 and 1, such as 0.95.`);
  return n;
}
