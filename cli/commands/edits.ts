import { keyValues } from '../args';
import { command, JSON_OPTION } from '../command';
import { table } from '../output';
import { Api, type VersionChange } from '../../client';
import { UsageError } from '../../errors';

const FORCE = { type: 'boolean', help: 'move or remove a protected alias (the change is recorded)' } as const;

/** `artifacts alias REF ALIAS...`: points aliases at a version. */
export const aliasCommand = command({
  summary: 'Point one or more aliases at a version, moving them off whichever version held them.',
  usage: 'artifacts alias REF ALIAS... [--force]',
  options: { force: FORCE },
  run: async ({ values, positionals }) => {
    const [ref, ...aliases] = positionals;
    if (!ref || aliases.length === 0) throw new UsageError('Give a ref and at least one alias, such as model:v3 production. Usage: artifacts alias REF ALIAS... [--force]');
    return withApi(async (api) => {
      const v = await api.artifact(ref);
      for (const alias of aliases) await v.addAlias(alias, { force: values.force ?? false });
      console.log(`${v.ref}: ${aliases.join(', ')}`);
      return 0;
    });
  },
});

/** `artifacts unalias NAME ALIAS...`. */
export const unaliasCommand = command({
  summary: 'Take aliases off whichever version of NAME holds them.',
  usage: 'artifacts unalias NAME ALIAS... [--force]',
  options: { force: FORCE },
  run: async ({ values, positionals }) => {
    const [name, ...aliases] = positionals;
    if (!name || aliases.length === 0) throw new UsageError('Give a name and at least one alias, such as model candidate. Usage: artifacts unalias NAME ALIAS... [--force]');
    return withApi(async (api) => {
      const v = await api.artifact(name);
      for (const alias of aliases) await v.removeAlias(alias, { force: values.force ?? false });
      console.log(`removed from ${name}: ${aliases.join(', ')}`);
      return 0;
    });
  },
});

const EDIT_USAGE = 'artifacts edit REF [--description TEXT] [--metadata k=v]... [--unset KEY]... [--tag T]... [--untag T]... [--json]';

/** `artifacts edit REF ...`: description, metadata and tags; files and digest stay as they are. */
export const editCommand = command({
  summary: "Change a version's description, metadata or tags (never its files); each change is recorded with who and when.",
  usage: EDIT_USAGE,
  options: {
    description: { type: 'string', value: 'TEXT', help: 'the new description ("" clears it)' },
    metadata: { type: 'string', multiple: true, value: 'k=v', help: 'set a metadata key (JSON values keep their type)' },
    unset: { type: 'string', multiple: true, value: 'KEY', help: 'remove a metadata key' },
    tag: { type: 'string', multiple: true, value: 'T', help: 'add a tag' },
    untag: { type: 'string', multiple: true, value: 'T', help: 'remove a tag' },
    json: JSON_OPTION,
  },
  run: async ({ values, positionals }) => {
    const ref = positionals[0];
    if (!ref || positionals.length > 1) throw new UsageError(`Give one ref, such as model:v3. Usage: ${EDIT_USAGE}`);
    const metadata = keyValues(values.metadata, '--metadata');
    const patch = {
      ...(values.description !== undefined ? { description: values.description === '' ? null : values.description } : {}),
      ...(Object.keys(metadata).length ? { metadata } : {}),
      ...(values.unset ? { unsetMetadata: values.unset } : {}),
      ...(values.tag ? { addTags: values.tag } : {}),
      ...(values.untag ? { removeTags: values.untag } : {}),
    };
    if (Object.keys(patch).length === 0) throw new UsageError(`Nothing to change: give --description, --metadata, --unset, --tag or --untag. Usage: ${EDIT_USAGE}`);
    return withApi(async (api) => {
      const v = await (await api.artifact(ref)).update(patch);
      if (values.json) console.log(JSON.stringify(v, null, 2));
      else console.log(`edited ${v.ref}: description ${JSON.stringify(v.description)}, metadata ${JSON.stringify(v.metadata)}, tags ${v.tags.join(', ') || '-'}`);
      return 0;
    });
  },
});

/** `artifacts history NAME|REF`: the recorded alias moves and edits. */
export const historyCommand = command({
  summary: 'List the recorded alias moves and edits of a name (or of one version given as a ref): what, who and when.',
  usage: 'artifacts history NAME|REF [--json]',
  options: { json: JSON_OPTION },
  run: async ({ values, positionals }) => {
    const ref = positionals[0];
    if (!ref) throw new UsageError('Give a name or a ref, such as model or model:v3. Usage: artifacts history NAME|REF [--json]');
    return withApi(async (api) => {
      // Resolving first makes an unknown name or ref fail with what does exist.
      const v = await api.artifact(ref);
      const changes = /[:@]/.test(ref) ? await v.history() : await api.history(v.name);
      if (values.json) console.log(JSON.stringify(changes, null, 2));
      else if (changes.length === 0) console.log(`no recorded changes of ${ref}`);
      else console.log(table([['AT', 'VERSION', 'CHANGE', 'BY', 'DETAIL'], ...changes.map((c) => [c.at, c.version, c.change, c.actor, describe(c)])]));
      return 0;
    });
  },
});

/** `artifacts protect [ALIAS...]`: which aliases of the project move only with --force. */
export const protectCommand = command({
  summary: 'Protect aliases (such as production) so they move or go only with --force; with no alias, list the protected ones.',
  usage: 'artifacts protect [ALIAS...] [--remove]',
  details: 'Protection is per project: --project P (or ARTIFACTS_PROJECT) says which.',
  options: {
    remove: { type: 'boolean', help: 'stop protecting the given aliases' },
  },
  run: async ({ values, positionals }) => {
    return withApi(async (api) => {
      if (positionals.length > 0 && values.remove) await api.unprotectAliases(positionals);
      else if (positionals.length > 0) await api.protectAliases(positionals);
      const now = await api.protectedAliases();
      console.log(now.length ? `protected aliases of project ${api.project}: ${now.join(', ')}` : `no protected aliases in project ${api.project}`);
      return 0;
    });
  },
});

function describe(c: VersionChange): string {
  const d = c.detail;
  if (c.change === 'alias-set') return `${String(d['alias'])}${d['from'] ? ` (from ${String(d['from'])})` : ''}${d['forced'] ? ' forced' : ''}`;
  if (c.change === 'alias-removed' || c.change === 'tag-added' || c.change === 'tag-removed') return String(d['alias'] ?? d['tag']);
  return JSON.stringify(d);
}

async function withApi(fn: (api: Api) => Promise<number>): Promise<number> {
  const api = new Api();
  try {
    return await fn(api);
  } finally {
    await api.close();
  }
}
