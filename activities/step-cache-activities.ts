import { digestDeps } from './deps-digest';
import { sha256 } from '../store/blobs/digest';
import type { ManifestRef } from '../store/manifest/manifest';
import { StepCache } from '../store/registry/step-cache';
import type { Store } from '../store/store';
import { ArtifactNotFoundError } from '../errors';
import type { StepOutputs } from '../workflows/pipeline-types';

/** A `uses` ref as resolved for a step: the exact version, and the digest of its content (part of the cache key). */
export interface UsedVersion {
  readonly name: string;
  readonly index: number;
  readonly ref: string;
  readonly digest?: string;
}

export interface StepKeyInput {
  readonly pipeline: string;
  readonly step: string;
  readonly run: string;
  /** What the workflow knows determines the output (command, env, workdir, params and steps read, produces), as data. */
  readonly material: Readonly<Record<string, unknown>>;
  /** The step's `uses` refs, resolved here: the digests of those versions are part of the key. */
  readonly uses: readonly string[];
  /** An incremental step's base ref: its digest is part of the key too. */
  readonly from?: string | undefined;
  /** The step's working directory on this host, and its `deps` globs relative to it. */
  readonly cwd: string;
  readonly deps: readonly string[];
  /** The step's own aliases, pointed again at its recorded version when the step is a hit. */
  readonly aliases: readonly string[];
  /** The run's project: refs are looked up there, and its steps' keys differ from another project's (absent: default). */
  readonly project?: string | undefined;
}

export interface StepKey {
  readonly key: string;
  /** The `uses` as resolved, to download exactly the versions the key covers. */
  readonly used: readonly UsedVersion[];
  /** The recorded result when the key has one whose versions still exist. */
  readonly hit?: { readonly outputs: StepOutputs; readonly run: string };
}

export interface ShardKeyInput {
  readonly stepKey: string;
  readonly index: number;
  readonly count: number;
  readonly item?: string | undefined;
}

export interface CachedShard {
  readonly manifest: ManifestRef;
  readonly files: number;
  readonly run: string;
}

/**
 * The step cache's activities. The key of a step is the SHA-256 of canonical JSON over the material the workflow
 * rendered, the digests of its input versions and the content of its `deps` files (read here, on the host that
 * has them, so no file bytes pass through history). Entries live in the registry, shared by every host.
 */
export function createStepCacheActivities(store: () => Promise<Store>) {
  return {
    /** Computes a step's cache key and returns the result recorded under it, if its versions still exist. */
    async lookUpStep(input: StepKeyInput): Promise<StepKey> {
      const s = await store();
      const resolved = await Promise.all(input.uses.map((ref) => s.registry.resolve(ref, input.project)));
      const used = resolved.map((v) => ({ name: v.name, index: v.index, ref: `${v.name}:${v.version}`, digest: v.digest }));
      const from = input.from === undefined ? null : await s.registry.resolve(input.from, input.project);
      const deps = await digestDeps(input.cwd, input.deps, input.step);
      const key = keyOf({
        v: 1, ...(input.project === undefined ? {} : { project: input.project }), pipeline: input.pipeline, step: input.step, material: input.material,
        uses: used.map((u) => [u.name, u.digest]), from: from && [from.name, from.digest], deps,
      });
      const cache = new StepCache(s.registry.db);
      const entry = await cache.lookUp(key);
      if (!entry || entry.kind !== 'step') return { key, used };
      const outputs = entry.outputs as StepOutputs;
      if (!(await stillThere(s, outputs))) {
        await cache.forget(key);
        return { key, used };
      }
      if (outputs.artifact && outputs.version) {
        const actor = { actor: `pipeline ${input.pipeline}, cached step ${input.step}` };
        for (const alias of input.aliases) await s.registry.setAlias(outputs.artifact, alias, Number(outputs.version.slice(1)), actor);
      }
      return { key, used, hit: { outputs, run: entry.run } };
    },

    /** Records a step's outputs under its key once the step succeeded. */
    async recordStep(input: { readonly key: string; readonly pipeline: string; readonly step: string; readonly run: string; readonly outputs: StepOutputs }): Promise<void> {
      const s = await store();
      await new StepCache(s.registry.db).record({ key: input.key, kind: 'step', pipeline: input.pipeline, step: input.step, run: input.run, outputs: input.outputs });
    },

    /** A shard's key (its step's key, index, count and item) and the files recorded under it, if any. */
    async lookUpShard(input: ShardKeyInput): Promise<{ key: string; hit?: CachedShard }> {
      const key = keyOf({ v: 1, shardOf: input.stepKey, index: input.index, count: input.count, item: input.item ?? null });
      const entry = await new StepCache((await store()).registry.db).lookUp(key);
      if (!entry || entry.kind !== 'shard') return { key };
      const recorded = entry.outputs as { manifest: ManifestRef; files: number };
      return { key, hit: { manifest: recorded.manifest, files: recorded.files, run: entry.run } };
    },

    /** Records a shard's staged files under its key; gc keeps them while the entry exists. */
    async recordShard(input: { readonly key: string; readonly pipeline: string; readonly step: string; readonly run: string; readonly manifest: ManifestRef; readonly files: number }): Promise<void> {
      const s = await store();
      await new StepCache(s.registry.db).record({
        key: input.key, kind: 'shard', pipeline: input.pipeline, step: input.step, run: input.run,
        outputs: { manifest: input.manifest, files: input.files }, manifestRoot: input.manifest.root,
      });
    },
  };
}

/** Whether the version a recorded step produced still exists with the same content (it may have been deleted). */
async function stillThere(s: Store, outputs: StepOutputs): Promise<boolean> {
  if (!outputs.artifact || !outputs.version) return true;
  try {
    return (await s.registry.resolve(`${outputs.artifact}:${outputs.version}`)).digest === outputs.digest;
  } catch (err) {
    if (err instanceof ArtifactNotFoundError) return false;
    throw err;
  }
}

/** `sha256:` of the canonical JSON (keys sorted at every depth) of a value. */
export function keyOf(value: unknown): string {
  return `sha256:${sha256(canonicalJson(value))}`;
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
