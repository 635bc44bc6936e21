import { expect, test } from 'vitest';
import { runEach } from 'temporal-artifacts/internal';

// A session closes its workers, its connections and its store with runEach: one that fails to close must not leave
// the others open, and the first failure is what the caller hears of.

test('every step runs even after one throws, in order, and the first failure is handed back', async () => {
  const ran: string[] = [];
  const failure = await runEach([
    () => ran.push('workers'),
    () => {
      ran.push('connections');
      throw new Error('connections would not close');
    },
    async () => {
      ran.push('store');
      throw new Error('nor would the store');
    },
    () => ran.push('after'),
  ]);
  expect(ran).toEqual(['workers', 'connections', 'store', 'after']);
  expect((failure as Error).message).toBe('connections would not close');
});

test('steps that all succeed hand back nothing, and a step that throws no error still counts as failed', async () => {
  expect(await runEach([() => undefined, async () => 1])).toBeUndefined();
  expect(await runEach([() => { throw undefined; }])).toBeInstanceOf(Error);
});
