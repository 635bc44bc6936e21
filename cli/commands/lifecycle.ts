import { command } from '../command';
import { Api } from '../../client';
import { UsageError } from '../../errors';

const DELETE_USAGE = 'artifacts delete REF|NAME [--force]';
const RETENTION_USAGE = 'artifacts retention NAME --keep-last N [--drop-aliased] | NAME --off | --type TYPE --ttl 30d|off';

/**
 * `artifacts delete name:v3` deletes one version, `artifacts delete name` every version of the name. A version
 * holding custom aliases needs --force. The files are freed by the next `artifacts gc`.
 */
export const deleteCommand = command({
  summary: 'Delete a version (name:v3) or every version of a name; its refs then say when and by whom.',
  usage: DELETE_USAGE,
  details: '`artifacts gc` frees the files no other version needs; lineage keeps deleted versions as tombstones.',
  options: {
    force: { type: 'boolean', help: 'delete versions holding custom aliases too (the aliases go with them)' },
  },
  run: async ({ values, positionals }) => {
    const target = positionals[0];
    if (!target || positionals.length > 1) throw new UsageError(`Give one ref (name:v3) or one name (every version). Usage: ${DELETE_USAGE}`);
    const api = new Api();
    try {
      const force = values.force ?? false;
      let deleted: string[];
      if (!target.includes(':') && !target.includes('@')) {
        deleted = await api.deleteName(target, { force });
      } else {
        const version = await api.artifact(target);
        await version.delete({ force });
        deleted = [version.ref];
      }
      console.log(`deleted ${deleted.join(', ')}; \`artifacts gc\` frees the files no other version needs`);
      return 0;
    } finally {
      await api.close();
    }
  },
});

/** `artifacts retention`: a name's retention rule, or a type's default TTL, which gc and the gc schedule apply. */
export const retentionCommand = command({
  summary: 'Set what gc keeps of a name (its last N versions), or the default TTL of a type\'s new versions.',
  usage: RETENTION_USAGE,
  options: {
    'keep-last': { type: 'string', value: 'N', help: 'keep the newest N versions of NAME; gc deletes older ones' },
    'drop-aliased': { type: 'boolean', help: 'let the rule delete versions holding custom aliases too' },
    off: { type: 'boolean', help: 'remove the rule of NAME' },
    type: { type: 'string', value: 'TYPE', help: 'set the default TTL of new versions of TYPE in this project' },
    ttl: { type: 'string', value: 'DURATION|off', help: 'with --type: the TTL (30d, 12h), or off' },
  },
  run: async ({ values, positionals }) => {
    const api = new Api();
    try {
      if (values.type !== undefined) return await typeTtl(api, values.type, values.ttl);
      const name = positionals[0];
      if (!name) throw new UsageError(`Give a name, or --type TYPE. Usage: ${RETENTION_USAGE}`);
      if (values.off) {
        await api.setRetention(name, null);
        console.log(`${name} keeps every version`);
        return 0;
      }
      const last = Number(values['keep-last']);
      if (values['keep-last'] === undefined || !Number.isInteger(last) || last < 1) throw new UsageError(`--keep-last needs a whole number of 1 or more. Usage: ${RETENTION_USAGE}`);
      const aliased = !(values['drop-aliased'] ?? false);
      await api.setRetention(name, { keep: { last, aliased } });
      console.log(`${name} keeps its last ${last} versions${aliased ? ' and every version holding an alias' : ''}; gc deletes the rest`);
      return 0;
    } finally {
      await api.close();
    }
  },
});

async function typeTtl(api: Api, type: string, ttl: string | undefined): Promise<number> {
  if (!ttl) throw new UsageError(`Give the default TTL of ${JSON.stringify(type)} with --ttl 30d (or --ttl off). Usage: ${RETENTION_USAGE}`);
  await api.setDefaultTtl(type, ttl === 'off' ? null : ttl);
  console.log(ttl === 'off' ? `new ${type} versions get no TTL` : `new ${type} versions in project ${api.project} expire ${ttl} after their commit unless they name a TTL`);
  return 0;
}
