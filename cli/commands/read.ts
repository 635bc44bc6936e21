import { command } from '../command';
import { formatBytes, printAll, READER_GONE } from '../output';
import { exitOnSignals } from '../signal-exit';
import { Api, type DownloadResult } from '../../client';
import { UsageError } from '../../errors';

const DOWNLOAD_USAGE = 'artifacts download REF DIR [--path-prefix P]';

/** `artifacts download REF DIR [--path-prefix P]`: files already in place are skipped, the rest fetched. */
export const downloadCommand = command({
  summary: "Write a version's files (or those under a prefix) into DIR, never outside it; files already in place are skipped.",
  usage: DOWNLOAD_USAGE,
  options: {
    'path-prefix': { type: 'string', value: 'P', help: 'only the files whose path starts with P' },
  },
  run: async ({ values, positionals }) => {
    const [ref, dir] = positionals;
    if (!ref || !dir) throw new UsageError(`Give a ref and a target folder. Usage: ${DOWNLOAD_USAGE}`);
    exitOnSignals();
    const api = new Api();
    try {
      const v = await api.artifact(ref);
      const prefix = values['path-prefix'];
      const result = await v.download(dir, prefix === undefined ? {} : { pathPrefix: prefix });
      if (prefix !== undefined && result.files === 0) throw new UsageError(`${v.ref} has no file whose path starts with ${JSON.stringify(prefix)}; run \`artifacts show ${v.ref}\` to see its files.`);
      console.log(`downloaded ${v.ref}: ${summary(result)} into ${dir}`);
      return 0;
    } finally {
      await api.close();
    }
  },
});

/** `artifacts checkout REF DIR`: DIR ends up holding exactly the version's files. */
export const checkoutCommand = command({
  summary: "Make DIR hold exactly the version's files: download, then remove files the version does not hold.",
  usage: 'artifacts checkout REF DIR [--force]',
  options: {
    force: { type: 'boolean', help: 'remove strays even from a folder no download wrote into before' },
  },
  run: async ({ values, positionals }) => {
    const [ref, dir] = positionals;
    if (!ref || !dir) throw new UsageError('Give a ref and a target folder. Usage: artifacts checkout REF DIR [--force]');
    exitOnSignals();
    const api = new Api();
    try {
      const v = await api.artifact(ref);
      const result = await v.checkout(dir, { force: values.force === true });
      console.log(`checked out ${v.ref}: ${summary(result)}, ${result.removed.length} removed, into ${dir}`);
      return 0;
    } finally {
      await api.close();
    }
  },
});

/** `artifacts cat REF PATH`: one file's bytes on stdout, verified against its digest. */
export const catCommand = command({
  summary: 'Print one file of a version on stdout, verified against its digest.',
  usage: 'artifacts cat REF PATH',
  options: {},
  run: async ({ positionals }) => {
    const [ref, entryPath] = positionals;
    if (!ref || !entryPath) throw new UsageError('Give a ref and the path of one of its files. Usage: artifacts cat REF PATH');
    const api = new Api();
    try {
      const entry = await (await api.artifact(ref)).getEntry(entryPath);
      return (await printAll(entry.chunks())) ? 0 : READER_GONE;
    } finally {
      await api.close();
    }
  },
});

function summary(r: DownloadResult): string {
  return `${r.files} files, ${formatBytes(r.bytes)} (${r.fetched} fetched, ${formatBytes(r.fetchedBytes)}; ${r.skipped} already in place)`;
}
