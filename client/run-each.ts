/**
 * Runs `steps` one after another, each even when one before it failed (closing a worker that throws must not leave
 * the connections and the store open), and resolves with the first failure, or undefined when all went well.
 */
export async function runEach(steps: readonly (() => unknown)[]): Promise<unknown> {
  let failure: unknown;
  let failed = false;
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      if (!failed) [failure, failed] = [err, true];
    }
  }
  return failed ? failure ?? new Error('a step failed with no error') : undefined;
}
