/** Reads the UI server's JSON API (same origin; the token, when there is one, travels as the cookie). */
import { useEffect, useState } from 'preact/hooks';

export class ApiError extends Error {}

export async function getJson<T>(route: string, params: Readonly<Record<string, string>> = {}): Promise<T> {
  const query = new URLSearchParams(params).toString();
  const res = await fetch(`/api/${route}${query ? `?${query}` : ''}`, { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  const body = (await res.json()) as T | { error: string };
  if (!res.ok) throw new ApiError((body as { error: string }).error ?? `${res.status} ${res.statusText}`);
  return body as T;
}

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
}

/**
 * The answer of one API route, reloaded when `params` change; with `everyMs`, polled while `keepPolling` says the
 * data is still changing (a running pipeline run).
 */
export function useApi<T>(route: string, params: Readonly<Record<string, string>>, everyMs?: number, keepPolling?: (data: T) => boolean): Loaded<T> {
  const [state, setState] = useState<Loaded<T>>({ data: undefined, error: undefined });
  const key = `${route}?${new URLSearchParams(params).toString()}`;
  useEffect(() => {
    let live = true;
    let timer: number | undefined;
    const load = (): void => {
      getJson<T>(route, params).then((data) => {
        if (!live) return;
        setState({ data, error: undefined });
        if (everyMs && (!keepPolling || keepPolling(data))) timer = window.setTimeout(load, everyMs);
      }, (err: unknown) => live && setState({ data: undefined, error: err instanceof Error ? err.message : String(err) }));
    };
    setState({ data: undefined, error: undefined });
    load();
    return () => {
      live = false;
      window.clearTimeout(timer);
    };
  }, [key]);
  return state;
}
