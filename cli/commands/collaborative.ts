import fs from 'node:fs';
import { keyValues } from '../args';
import { command, JSON_OPTION } from '../command';
import { formatBytes, shortDigest, table, warnSkipped } from '../output';
import { abortDraft, Artifact, init, listDraftsAndPending, type PendingWriter } from '../../client';
import { UsageError } from '../../errors';

const UPSERT = 'artifacts upsert PATH... --name NAME --type TYPE --distributed-id ID [--writer ID] [--json]';
const FINISH = 'artifacts finish [PATH...] --name NAME --type TYPE --distributed-id ID [--writer ID] [--alias A]... [--metadata k=v]... [--description TEXT] [--json]';

const common = {
  name: { type: 'string', value: 'NAME', help: 'the artifact name (required)' },
  type: { type: 'string', value: 'TYPE', help: 'its type, such as dataset (required)' },
  'distributed-id': { type: 'string', value: 'ID', help: 'the draft every writer of this version shares (required)' },
  writer: { type: 'string', value: 'ID', help: 'this writer\'s id (default: a fresh one; pass one to make retries idempotent)' },
  json: JSON_OPTION,
} as const;

/** Adds files to the draft of (name, distributed id); the writer defaults to a fresh id (pass --writer to make retries idempotent). */
export const upsertCommand = command({
  summary: 'Add files and folders to the shared draft of (NAME, distributed id); nothing is committed until a finish.',
  usage: UPSERT,
  options: common,
  run: async ({ values, positionals }) => {
    if (positionals.length === 0) throw new UsageError(`Give at least one file or folder to upsert. Usage: ${UPSERT}`);
    const artifact = artifactOf(values, positionals, UPSERT);
    const run = await init({ ...(values.writer ? { id: values.writer } : {}) });
    try {
      const r = await run.upsertArtifact(artifact, { distributedId: values['distributed-id']! });
      if (values.json) {
        console.log(JSON.stringify(r, null, 2));
      } else {
        console.log(`${r.status === 'merged' ? 'upserted' : 'already in the draft:'} ${r.files} files into ${r.draftId} as writer ${r.writer}`);
        warnSkipped(r.skipped);
      }
      return 0;
    } finally {
      await run.finish();
    }
  },
});

/** Commits the draft of (name, distributed id), adding the given files (if any) first. */
export const finishCommand = command({
  summary: 'Commit the shared draft of (NAME, distributed id) as one version, adding the given files first.',
  usage: FINISH,
  options: {
    ...common,
    alias: { type: 'string', multiple: true, value: 'A', help: 'point this alias at the version' },
    metadata: { type: 'string', multiple: true, value: 'k=v', help: 'a metadata entry (JSON values keep their type)' },
    description: { type: 'string', value: 'TEXT', help: 'a description of the version' },
  },
  run: async ({ values, positionals }) => {
    const artifact = artifactOf(values, positionals, FINISH);
    Object.assign(artifact.metadata, keyValues(values.metadata, '--metadata'));
    if (values.description) artifact.description = values.description;
    const run = await init({ ...(values.writer ? { id: values.writer } : {}) });
    try {
      const pending = await run.pendingWriters(artifact.name, { distributedId: values['distributed-id']! });
      const v = await run.finishArtifact(artifact, { distributedId: values['distributed-id']!, aliases: values.alias ?? [] });
      for (const p of pending) {
        console.error(`warning: writer ${p.writer} started adding to this draft ${ago(p.startedAt)} but never delivered, so its files are not in ${v.ref} (its workflow ${p.workflowId} still runs: \`artifacts drafts\` lists it).`);
      }
      if (values.json) {
        console.log(JSON.stringify({ ...v.toJSON(), created: v.created, stage: v.stage }, null, 2));
      } else {
        console.log(`${v.created ? 'committed' : 'already committed as'} ${v.ref}  (${v.fileCount} files, ${formatBytes(v.size)}, digest ${shortDigest(v.digest)})`);
        warnSkipped(v.stage.skipped);
      }
      return 0;
    } finally {
      await run.finish();
    }
  },
});

/** Lists open drafts: name, distributed id, writers, files, size, age and expiry. */
const DRAFTS_USAGE = 'artifacts drafts [--json]  |  artifacts drafts abort NAME --distributed-id ID [--json]';

export const draftsCommand = command({
  summary: 'List the open collaborative drafts (writers, files, size, age, expiry) and writers that have not delivered; or abort one.',
  usage: DRAFTS_USAGE,
  details: 'An aborted draft commits nothing and refuses its writers; the blobs only it needed are freed by the next `artifacts gc`.',
  options: {
    'distributed-id': { type: 'string', value: 'ID', help: 'the draft to abort (with abort NAME)' },
    json: JSON_OPTION,
  },
  run: async ({ values, positionals }) => {
    if (positionals[0] === 'abort') return abortCommand(positionals[1], values['distributed-id'], values.json ?? false);
    if (positionals.length > 0) throw new UsageError(`Unknown drafts action ${JSON.stringify(positionals[0])}. Usage: ${DRAFTS_USAGE}`);
    const { drafts, pending } = await listDraftsAndPending();
    if (values.json) {
      console.log(JSON.stringify(drafts, null, 2));
    } else if (drafts.length === 0) {
      console.log('no open drafts');
    } else {
      const now = Date.now();
      console.log(table([
        ['NAME', 'DISTRIBUTED-ID', 'WRITERS', 'FILES', 'SIZE', 'AGE', 'EXPIRES IN', 'STATE'],
        ...drafts.map((d) => [d.name, d.distributedId, String(d.writers), String(d.files), formatBytes(d.bytes),
          duration(now - Date.parse(d.openedAt)), duration(Date.parse(d.expiresAt) - now), d.state]),
      ]));
    }
    if (!values.json) printPending(pending);
    return 0;
  },
});

async function abortCommand(name: string | undefined, distributedId: string | undefined, json: boolean): Promise<number> {
  if (!name || !distributedId) throw new UsageError(`Give the draft's name and --distributed-id. Usage: ${DRAFTS_USAGE}`);
  const result = await abortDraft(name, distributedId);
  if (json) console.log(JSON.stringify(result, null, 2));
  else console.log(result.message);
  return result.status === 'aborted' ? 0 : 1;
}

function artifactOf(values: { name?: string | undefined; type?: string | undefined; 'distributed-id'?: string | undefined }, paths: string[], usage: string): Artifact {
  if (!values.name || !values.type || !values['distributed-id']) throw new UsageError(`--name, --type and --distributed-id are required. Usage: ${usage}`);
  const artifact = new Artifact(values.name, values.type);
  for (const p of paths) {
    if (fs.existsSync(p) && fs.statSync(p).isDirectory()) artifact.addDir(p);
    else artifact.addFile(p);
  }
  return artifact;
}

/** Writers that started but have not delivered: still staging, or their process died and their work waits. */
function printPending(pending: readonly PendingWriter[]): void {
  if (pending.length === 0) return;
  console.log('\nstarted but not delivered (still staging, or their process died and their files wait for a worker on their host):');
  console.log(table([['DRAFT', 'WRITER', 'STARTED', 'WORKFLOW'], ...pending.map((p) => [p.draftId, p.writer, ago(p.startedAt), p.workflowId])]));
}

function ago(date: Date): string {
  return `${duration(Date.now() - date.getTime())} ago`;
}

function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s}s`;
  if (s < 7200) return `${Math.round(s / 60)}m`;
  if (s < 172_800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86_400)}d`;
}
