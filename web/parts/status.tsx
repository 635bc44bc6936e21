import type { Loaded } from '../api';

/** What a page shows while its data loads, or when the API refused: the server's message, as text. */
export function Pending<T>({ loaded }: { loaded: Loaded<T> }) {
  if (loaded.error !== undefined) return <p class="error" role="alert">{loaded.error}</p>;
  return <p class="muted">Loading…</p>;
}
