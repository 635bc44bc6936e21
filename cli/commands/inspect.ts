import { command, JSON_OPTION } from '../command';
import { digestText, formatBytes, shortDigest, table } from '../output';
import { Api } from '../../client';
import { UsageError } from '../../errors';

/** `artifacts ls [NAME]`: names with their latest version, or one name's versions. */
export const lsCommand = command({
  summary: "List the current project's artifact names with their latest version, or the versions of NAME.",
  usage: 'artifacts ls [NAME] [--all-projects] [--json]',
  options: {
    'all-projects': { type: 'boolean', help: 'list the names of every project, not only the current one' },
    json: JSON_OPTION,
  },
  run: async ({ values, positionals }) => {
    const api = new Api();
    try {
      if (positionals.length === 0) {
        const all = await api.artifacts({ allProjects: values['all-projects'] ?? false });
        if (values.json) console.log(JSON.stringify(all, null, 2));
        else if (all.length === 0) console.log('No artifacts yet. Log one with: artifacts log PATH --name NAME --type TYPE');
        else if (values['all-projects']) console.log(table([['PROJECT', 'NAME', 'TYPE', 'VERSIONS', 'LATEST', 'UPDATED'], ...all.map((a) => [a.project, a.name, a.type, String(a.versions), a.latest, a.updatedAt])]));
        else console.log(table([['NAME', 'TYPE', 'VERSIONS', 'LATEST', 'UPDATED'], ...all.map((a) => [a.name, a.type, String(a.versions), a.latest, a.updatedAt])]));
        return 0;
      }
      const name = positionals[0]!;
      const versions = await api.versions(name);
      if (versions.length === 0) throw new UsageError(`No artifact is named ${JSON.stringify(name)}; run \`artifacts ls\` to see the names that exist.`);
      if (values.json) console.log(JSON.stringify(versions, null, 2));
      else console.log(table([['VERSION', 'FILES', 'SIZE', 'DIGEST', 'ALIASES', 'CREATED'], ...versions.map((v) => [v.version, String(v.fileCount), formatBytes(v.size), shortDigest(v.digest), v.aliases.join(','), v.createdAt])]));
      return 0;
    } finally {
      await api.close();
    }
  },
});

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
      const files = await v.files();
      // Counted by diffing against the base, which reads only the chunks that differ.
      const changes = v.base ? (await v.diff(await api.artifact(`${v.name}:${v.base}`))).summary : null;
      if (values.json) {
        console.log(JSON.stringify({ ...v.toJSON(), changes, entries: files }, null, 2));
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
      console.log(table(files.map((f) => [f.path, formatBytes(f.size), f.ref ?? shortDigest(f.digest)])));
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
      }
      if (!report.manifestOk) console.error(`corrupt: the manifest of ${report.ref} no longer hashes to its version digest`);
      console.error(`FAILED: ${report.mismatches.length} of ${report.checked} files of ${report.ref} do not match; re-log them from the originals.`);
      return 1;
    } finally {
      await api.close();
    }
  },
});
