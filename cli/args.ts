import { UsageError } from '../errors';

/**
 * `k=v` pairs into a map without a prototype (any key is a key); unless `typed` is false, values that parse as
 * JSON (numbers, booleans) keep their type.
 */
export function keyValues(pairs: readonly string[] | undefined, flag: string, { typed = true } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} ${JSON.stringify(pair)} is not key=value; write ${flag} epochs=10.`);
    const raw = pair.slice(eq + 1);
    let value: unknown = raw;
    try {
      if (typed) value = JSON.parse(raw);
    } catch {
      value = raw;
    }
    out[pair.slice(0, eq)] = value;
  }
  return out;
}
