/**
 * Awaits `result` while calling `probe` every `intervalMs` until it settles, and reports each probed value that
 * differs from the last one. Probing is best effort (a failed probe is skipped); the result is what counts.
 */
export async function awaitWithPolling<R, P>(result: Promise<R>, probe: () => Promise<P | undefined>, onChange: (value: P) => void, intervalMs: number): Promise<R> {
  let finished = false;
  const settled = result.then(() => undefined, () => undefined);
  const loop = (async () => {
    let last = '';
    while (!finished) {
      try {
        const value = await probe();
        const key = JSON.stringify(value);
        if (value !== undefined && key !== last && !finished) {
          last = key;
          onChange(value);
        }
      } catch {
        // Not ready yet (or a transient error): the next round will tell.
      }
      await Promise.race([settled, new Promise((r) => setTimeout(r, intervalMs))]);
    }
  })();
  try {
    return await result;
  } finally {
    finished = true;
    await loop;
  }
}
