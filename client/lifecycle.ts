/**
 * Deleting versions and names, retention rules and default TTLs, as the user API and the CLI reach them: who is
 * deleting, durations such as `30d`, and the registry calls (store/registry/version-lifecycle.ts does the work).
 */
import { actorOf } from './actor';
import type { Store } from '../store/store';
import { qualifiedName } from '../store/registry/ref';
import { deleteVersions, setRetention, setTypeTtl, type RetentionRule } from '../store/registry/version-lifecycle';
import { UsageError } from '../errors';

export type { RetentionRule };

const UNITS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** `90s`, `30m`, `24h`, `7d`, `2w`, or plain seconds; a number is milliseconds. `what` names the setting in the error. */
export function durationMs(value: string | number, what: string): number {
  if (typeof value === 'number') {
    if (Number.isFinite(value) && value >= 0) return value;
    throw new UsageError(`${what} ${value} is not a duration; give milliseconds as a number of 0 or more, or text such as 30d.`);
  }
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(value.trim());
  if (!m) throw new UsageError(`${what} ${JSON.stringify(value)} is not a duration; write 30m, 24h or 7d.`);
  return Number(m[1]) * UNITS[(m[2] ?? 's') as keyof typeof UNITS];
}

/**
 * Deletes every version of `name` (in `project` unless it names its own). Versions holding custom aliases need
 * `force`. Returns the refs deleted.
 */
export async function deleteName(store: Store, project: string, name: string, options: { force?: boolean } = {}): Promise<string[]> {
  const qualified = qualifiedName(project, name);
  const deleted = await deleteVersions(store.registry, qualified, undefined, { by: actorOf(), force: options.force ?? false });
  if (deleted.length === 0) await store.registry.resolve(qualified);
  return deleted;
}

/** Sets the retention rule of `name` (null removes it); `artifacts gc` and the gc schedule apply it. */
export async function setNameRetention(store: Store, project: string, name: string, rule: RetentionRule | null): Promise<void> {
  await setRetention(store.registry, qualifiedName(project, name), rule);
}

/** Sets the TTL of new versions of `type` in `project` that name none of their own (null removes it). */
export async function setDefaultTtl(store: Store, project: string, type: string, ttl: string | number | null): Promise<void> {
  await setTypeTtl(store.registry, project, type, ttl === null ? null : durationMs(ttl, 'ttl'));
}
