// The peers' throwaway virtual environment (.artifacts-bench/venv, git-ignored): made by the bench itself, never
// by the project's own setup. Each package is installed on its own so one that cannot be had skips only its peer.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const PACKAGES = [
  { key: 'dvc', pip: 'dvc', probe: 'import dvc.version as v; print(v.__version__)' },
  { key: 'wandb', pip: 'wandb', probe: 'import wandb; print(wandb.__version__)' },
  { key: 'matplotlib', pip: 'matplotlib', probe: 'import matplotlib; print(matplotlib.__version__)' },
];

/** Returns the venv's python and, per package, its version or the reason it is missing. */
export function preparePeers(root, log) {
  const venv = path.join(root, 'venv');
  const python = path.join(venv, 'bin', 'python');
  const result = { python, versions: {}, missing: {} };
  if (!fs.existsSync(python)) {
    log(`creating the peers' virtualenv in ${venv}`);
    const made = spawnSync('python3', ['-m', 'venv', venv], { encoding: 'utf8' });
    if (made.status !== 0) {
      for (const p of PACKAGES) result.missing[p.key] = `python3 -m venv failed: ${(made.stderr || made.error?.message || '').trim().split('\n').pop()}`;
      return result;
    }
  }
  for (const p of PACKAGES) {
    let probe = spawnSync(python, ['-c', p.probe], { encoding: 'utf8' });
    if (probe.status !== 0) {
      log(`installing ${p.pip} into the peers' virtualenv (pip)`);
      const pip = spawnSync(python, ['-m', 'pip', 'install', '-q', p.pip], { encoding: 'utf8', timeout: 15 * 60_000 });
      probe = pip.status === 0 ? spawnSync(python, ['-c', p.probe], { encoding: 'utf8' }) : pip;
    }
    if (probe.status === 0) result.versions[p.key] = probe.stdout.trim();
    else result.missing[p.key] = `could not install ${p.pip}: ${(probe.stderr || probe.error?.message || 'unknown error').trim().split('\n').pop()}`;
  }
  return result;
}
