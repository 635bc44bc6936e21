import { command, JSON_OPTION } from '../command';
import { digestText, formatBytes, printJsonStream, shortDigest, TableStream } from '../output';
import { Api, type ArtifactSummary, type ArtifactVersion } from '../../client';
import { UsageError } from '../../errors';

/** `artifacts ls [NAME]`: names with their latest version, or one name's versions, fetched page by page. */
export const lsCommand = command({
  summary: "List the current project's artifact names with their latest version, or the versions of NAME.",
  usage: 'artifacts ls [NAME] [--all-projects] [--limit N] [--after CURSOR] [--json]',
  details: 'Without --limit every row is listed, read and printed a page at a time. With --limit N one page is printed, and, when more follow, the --after CURSOR that continues it (on stderr).',
  options: {
    'all-projects': { type: 'boolean', help: 'list the names of every project, not only the current one' },
    limit: { type: 'string', value: 'N', help: 'print one page of at most N rows' },
    after: { type: 'string', value: 'CURSOR', help: 'start after this cursor (printed by a previous --limit page; for NAME, a version such as v41)' },
    json: JSON_OPTION,
  },
  run: async ({ values, positionals }) => {
    const api = new Api();
    const limit = values.limit === undefined ? undefined : Number(values.limit);
    try {
      const name = positionals[0];
      const how = { json: values.json ?? false, limit, after: values.after };
      const more = name === undefined ? await printPages(namesListing(api, values['all-projects'] ?? false), how) : await printPages(versionsListing(api, name), how);
      if (!more.printed && !values.json) {
        if (name !== undefined) throw new UsageError(`No artifact is named ${JSON.stringify(name)}; run \`artifacts ls\` to see the names that exist.`);
        console.log(values.after ? 'No more artifacts after that cursor.' : 'No artifacts yet. Log one with: artifacts log PATH --name NAME --type TYPE');
      }
      if (more.next !== undefined) console.error(`more: artifacts ls ${name === undefined ? '' : `${name} `}--after ${more.next}${limit === undefined ? '' : ` --limit ${limit}`}`);
      return 0;
    } finally {
      await api.close();
    }
  },
});

/** A paged listing as the CLI prints it: its header, how a row reads, and how to fetch a page. */
interface Listing<T> {
  readonly header: readonly string[];
  row(item: T): string[];
  page(after: string | undefined, limit: number | undefined): Promise<{ items: T[]; next?: string | undefined }>;
}

function namesListing(api: Api, allProjects: boolean): Listing<ArtifactSummary> {
  return {
    header: [...(allProjects ? ['PROJECT'] : []), 'NAME', 'TYPE', 'VERSIONS', 'LATEST', 'UPDATED'],
    row: (a) => [...(allProjects ? [a.project] : []), a.name, a.type, String(a.versions), a.latest, a.updatedAt],
    page: (after, limit) => api.artifactsPage({ allProjects, ...(after ? { after } : {}), ...(limit === undefined ? {} : { limit }) }),
  };
}

function versionsListing(api: Api, name: string): Listing<ArtifactVersion> {
  return {
    header: ['VERSION', 'FILES', 'SIZE', 'DIGEST', 'ALIASES', 'CREATED'],
    row: (v) => [v.version, String(v.fileCount), formatBytes(v.size), shortDigest(v.digest), v.aliases.join(','), v.createdAt],
    page: async (after, limit) => {
      const page = await api.versionsPage(name, { ...(after ? { after } : {}), ...(limit === undefined ? {} : { limit }) });
      return { items: page.items, next: page.next === undefined ? undefined : `v${page.next}` };
    },
  };
}

/** Prints every page (or, with a limit, one), as a table or as one JSON array; returns whether any row came and the next cursor. */
async function printPages<T>(listing: Listing<T>, options: { json: boolean; limit: number | undefined; after: string | undefined }): Promise<{ printed: boolean; next?: string }> {
  const table = new TableStream(listing.header);
  let after = options.after;
  let printed = false;
  if (options.json) process.stdout.write('[');
  for (;;) {
    const page = await listing.page(after, options.limit);
    if (options.json) {
      for (const item of page.items) {
        process.stdout.write(`${printed ? ',' : ''}\n${JSON.stringify(item)}`);
        printed = true;
      }
    } else if (page.items.length > 0) {
      table.write(page.items.map((item) => listing.row(item)));
      printed = true;
    }
    after = page.next;
    if (after === undefined || options.limit !== undefined) break;
  }
  if (options.json) process.stdout.write(printed ? '\n]\n' : ']\n');
  return after === undefined ? { printed } : { printed, next: after };
}

/** `artifacts show REF`: one version's details and files. */
export const showCommand = command({
  summary: 'Show a version: digest, aliases, description, metadata, who made it, and its files.',
  usage: 'artifacts show REF [--json]',
  details: 'REF: name (latest), name:v3, name:alias or name@digest.',
  options: {
    json: JSON_OPTION,
  },
  run: async ({ values, positionals }) => {
    const ref = positionals[0];
    if (!ref) throw new UsageError('Give a ref such as name:latest. Usage: artifacts show REF [--json]');
    const api = new Api();
    try {
      const v = await api.artifact(ref);
      // Counted by diffing against the base, which reads only the chunks that differ.
      const changes = v.base ? await v.diffSummary(await api.artifact(`${v.name}:${v.base}`)) : null;
      if (values.json) {
        await printJsonStream({ ...v.toJSON(), changes }, 'entries', v.entries());
        return 0;
      }
      console.log(`${v.ref} (${v.type})`);
      console.log(`digest:   ${digestText(v.digest)}`);
      console.log(`aliases:  ${v.aliases.join(', ')}`);
      console.log(`files:    ${v.fileCount}, ${formatBytes(v.size)}`);
      if (v.base && changes) console.log(`base:     ${v.name}:${v.base} (+${changes.added} added, -${changes.removed} removed, ~${changes.modified} modified)`);
      if (v.description) console.log(`about:    ${v.description}`);
      if (Object.keys(v.metadata).length) console.log(`metadata: ${JSON.stringify(v.metadata)}`);
      if (v.producer) console.log(`made by:  workflow ${v.producer.workflowId}${v.producer.run ? ` (run ${v.producer.run})` : ''}`);
      console.log(`created:  ${v.createdAt}`);
      // The files stream from the manifest, a page of rows at a time, aligned on the first page.
      const rows = new TableStream(null);
      let page: string[][] = [];
      for await (const f of v.entries()) {
        page.push([f.path, formatBytes(f.size), f.ref ?? shortDigest(f.digest)]);
        if (page.length < 1000) continue;
        rows.write(page);
        page = [];
      }
      rows.write(page);
      return 0;
    } finally {
      await api.close();
    }
  },
});

/** `artifacts verify REF`: exit 1 and name every file whose bytes no longer match. */
export const verifyCommand = command({
  summary: 'Re-hash every file of a version; exit 1 naming each file that no longer matches.',
  usage: 'artifacts verify REF',
  options: {},
  run: async ({ positionals }) => {
    const ref = positionals[0];
    if (!ref) throw new UsageError('Give a ref such as name:v0. Usage: artifacts verify REF');
    const api = new Api();
    try {
      const v = await api.artifact(ref);
      const report = await v.verify();
      if (report.ok) {
        console.log(`ok: ${report.ref}, ${report.checked} files re-hashed, all match`);
        return 0;
      }
      for (const m of report.mismatches) {
        console.error(`corrupt: ${m.path} (expected ${shortDigest(m.expected)}, found ${m.actual === 'missing' ? 'no bytes: missing, or set aside as damaged by an earlier check' : shortDigest(m.actual)})`);
        for (const chunk of m.chunks ?? []) console.error(`  damaged ${chunk}`);
      }
      if (!report.manifestOk) console.error(`corrupt: the manifest of ${report.ref} no longer hashes to its version digest`);
      console.error(`FAILED: ${report.mismatches.length} of ${report.checked} files of ${report.ref} do not match; re-log them from the originals.`);
      return 1;
    } finally {
      await api.close();
    }
  },
});
