import fs from 'node:fs';
import path from 'node:path';
import { Api } from 'temporal-artifacts';
import { cli, isolatedEnv, ROOT, tempDir } from './helpers';

/**
 * The cache-loop fixtures (test/pipelines/cache-loop): a copy in a folder of its own per test (tests edit its
 * files), and a counter of the commands that ran (STEP_COUNTER, the worker's environment, in no cache key).
 */
export type Status = { state: string; steps: Record<string, { state: string; ref?: string; outcome?: string; cachedFrom?: string; shards?: number; shardsCached?: number }> };

export function loop(): { file: string; dir: string; env: ReturnType<typeof isolatedEnv>; ran: () => string[] } {
  const dir = tempDir('cache-loop-');
  fs.cpSync(path.join(ROOT, 'test', 'pipelines', 'cache-loop'), dir, { recursive: true });
  const counter = path.join(tempDir(), 'ran');
  const env = isolatedEnv({ STEP_COUNTER: counter });
  const ran = (): string[] => {
    const lines = fs.existsSync(counter) ? fs.readFileSync(counter, 'utf8').split('\n').filter(Boolean) : [];
    fs.rmSync(counter, { force: true });
    return lines;
  };
  return { file: path.join(dir, 'pipeline.yaml'), dir, env, ran };
}

export function run(file: string, env: NodeJS.ProcessEnv, ...args: string[]): { id: string; code: number; stdout: string; stderr: string; status: Status } {
  const out = cli(['run', file, ...args], env);
  const id = /(?:started|attached to) run (\S+)/.exec(out.stdout)?.[1];
  if (!id) throw new Error(`no run id in: ${out.stdout}\n${out.stderr}`);
  const status = cli(['status', id, '--json'], env);
  return { ...out, id, status: JSON.parse(status.stdout) as Status };
}

export function states(status: Status): Record<string, string> {
  return Object.fromEntries(Object.entries(status.steps).map(([id, s]) => [id, s.state]));
}

export async function versions(env: NodeJS.ProcessEnv, names = ['loop-data', 'loop-model', 'loop-metrics']): Promise<string[]> {
  const api = new Api({ env });
  try {
    const all = await Promise.all(names.map(async (n) => (await api.versions(n)).map((v) => `${n}:${v.version}`)));
    return all.flat();
  } finally {
    await api.close();
  }
}

