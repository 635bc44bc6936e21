/**
 * Lookups by keys a user chose (param names, step ids, env and metadata keys). A plain `{}` answers
 * `constructor`, `toString` or `__proto__` from Object.prototype, and assigning `__proto__` replaces its
 * prototype instead of adding a key; these helpers see own keys only and build maps without a prototype.
 * Pure code (workflow code uses it).
 */

/** The value stored under `key` itself, never one inherited from Object.prototype. */
export function own<T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

/** An empty map with no prototype: any key, `__proto__` included, is stored as a key. */
export function emptyRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** A map with no prototype from entries. */
export function recordOf<T>(entries: Iterable<readonly [string, T]>): Record<string, T> {
  const out = emptyRecord<T>();
  for (const [k, v] of entries) out[k] = v;
  return out;
}
