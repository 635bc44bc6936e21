import { expect, test } from 'vitest';
import { Api } from 'temporal-artifacts';
import { isolatedEnv, nodeScript, writeFiles } from './helpers';

const env = isolatedEnv();

test('8 concurrent client processes logging different content to one name get exactly v0..v7', async () => {
  const clients = Array.from({ length: 8 }, (_, i) => {
    const dir = writeFiles({ [`shard-${i}.txt`]: `content of client ${i}` });
    return nodeScript(`
      import { init, Artifact } from 'temporal-artifacts';
      const run = await init();
      const v = await run.logArtifact(new Artifact('contended', 'dataset').addDir(${JSON.stringify(dir)}));
      console.log(JSON.stringify({ version: v.version, created: v.created, digest: v.digest }));
      await run.finish();
    `, env);
  });
  const results = await Promise.all(clients);
  for (const r of results) expect(r.stderr).toBe('');
  const logged = results.map((r) => JSON.parse(r.stdout.trim()) as { version: string; created: boolean; digest: string });
  expect(logged.map((l) => l.version).sort((a, b) => Number(a.slice(1)) - Number(b.slice(1)))).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']);
  expect(logged.every((l) => l.created)).toBe(true);

  const api = new Api({ env });
  const versions = await api.versions('contended');
  expect(versions.map((v) => v.version)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6', 'v7']);
  expect(new Set(versions.map((v) => v.digest)).size).toBe(8);
  expect((await api.artifact('contended:latest')).version).toBe('v7');
  await api.close();
});
