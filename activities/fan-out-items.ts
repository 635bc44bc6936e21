import type { Store } from '../store/store';
import { findEntry, readEntry } from '../store/reading/entry';
import { UsageError } from '../errors';

/** The most bytes a list of items may have: the items travel through workflow history. */
export const MAX_ITEMS_BYTES = 256 * 1024;
/** The longest one item may be, as text. */
export const MAX_ITEM_LENGTH = 1024;

export interface ItemsSource {
  /** The step whose version holds the list, and the version (`name:vN`). */
  readonly step: string;
  readonly ref: string;
  /** The file in that version: a JSON list of strings, numbers or booleans. */
  readonly path: string;
  readonly maxItems: number;
  readonly project?: string | undefined;
}

/** The activity of a dynamic fan-out: its items, read from the store (any worker may answer). */
export function createFanOutItemsActivities(store: () => Promise<Store>) {
  return {
    /** A dynamic fan-out's items: the JSON list a file of an earlier step's version holds, bounded and checked. */
    async readFanOutItems(input: ItemsSource): Promise<string[]> {
      return readFanOutItems(await store(), input);
    },
  };
}

/**
 * Reads a dynamic fan-out's items (`fanOut.itemsFrom`) from a version an earlier step made, as Argo's withParam
 * does from a step's output: a JSON list of scalars, at most `maxItems` long and MAX_ITEMS_BYTES big, each item at
 * most MAX_ITEM_LENGTH characters. Anything else is refused with a message naming the version and the file.
 */
export async function readFanOutItems(store: Store, source: ItemsSource): Promise<string[]> {
  const version = await store.registry.resolve(source.ref, source.project);
  const entry = await findEntry(store, version, source.path);
  const where = `${source.path} in ${source.ref} (made by step "${source.step}")`;
  if (entry.size > MAX_ITEMS_BYTES) throw new UsageError(`${where} is ${entry.size} bytes; a fan-out's items may be at most ${MAX_ITEMS_BYTES} bytes of JSON: write fewer or shorter items, or fan out over a count and let each shard read its part.`);
  const chunks: Uint8Array[] = [];
  for await (const chunk of readEntry(store, entry)) chunks.push(chunk);
  let items: unknown;
  try {
    items = JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch (err) {
    throw new UsageError(`${where} is not JSON (${(err as Error).message}); write a JSON list such as ["a.png", "b.png"].`);
  }
  if (!Array.isArray(items) || items.length === 0) throw new UsageError(`${where} must be a non-empty JSON list of strings, numbers or booleans, such as ["a.png", "b.png"].`);
  if (items.length > source.maxItems) throw new UsageError(`${where} lists ${items.length} items; this fan-out takes at most ${source.maxItems} (fanOut.maxItems, up to 10000).`);
  return items.map((item, i) => {
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') throw new UsageError(`item ${i} of ${where} is ${item === null ? 'null' : typeof item}; items must be strings, numbers or booleans.`);
    const text = String(item);
    if (text.length > MAX_ITEM_LENGTH) throw new UsageError(`item ${i} of ${where} is ${text.length} characters long; an item may have at most ${MAX_ITEM_LENGTH}.`);
    return text;
  });
}
