import { command } from '../command';
import { fileDigest } from '../../client';
import { UsageError } from '../../errors';

/** `artifacts hash FILE...`: the digest each file would be stored under, one `digest  path` line each. */
export const hashCommand = command({
  summary: 'Print the digest each FILE would be stored under (blake3: up to 4 MiB, as b3sum prints it; blake3c: beyond).',
  usage: 'artifacts hash FILE...',
  options: {},
  details: 'A file larger than one 4 MiB chunk is stored as chunks; its digest is blake3c:<BLAKE3 of its chunk list> (docs/format.md).',
  run: async ({ positionals }) => {
    if (positionals.length === 0) throw new UsageError('Give at least one file. Usage: artifacts hash FILE...');
    for (const file of positionals) console.log(`${(await fileDigest(file)).digest}  ${file}`);
    return 0;
  },
});
