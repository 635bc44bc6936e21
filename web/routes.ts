/** The pages' addresses: hash routes, so the server serves one page and every argument stays URL-encoded. */
export type Route =
  | { readonly page: 'list' }
  | { readonly page: 'artifact'; readonly name: string }
  | { readonly page: 'version'; readonly ref: string }
  | { readonly page: 'diff'; readonly from: string; readonly to: string }
  | { readonly page: 'lineage'; readonly ref: string }
  | { readonly page: 'runs' }
  | { readonly page: 'run'; readonly id: string };

const enc = encodeURIComponent;

export const href = {
  list: (): string => '#/',
  artifact: (name: string): string => `#/artifact/${enc(name)}`,
  version: (ref: string): string => `#/version/${enc(ref)}`,
  diff: (from: string, to: string): string => `#/diff/${enc(from)}/${enc(to)}`,
  lineage: (ref: string): string => `#/lineage/${enc(ref)}`,
  runs: (): string => '#/runs',
  run: (id: string): string => `#/run/${enc(id)}`,
  file: (ref: string, path: string): string => `/api/file?${new URLSearchParams({ ref, path }).toString()}`,
};

export function parseRoute(hash: string): Route {
  const [page, ...rest] = hash.replace(/^#\/?/, '').split('/').map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      return part;
    }
  });
  const [a = '', b = ''] = rest;
  if (page === 'artifact' && a) return { page, name: a };
  if (page === 'version' && a) return { page, ref: a };
  if (page === 'diff' && a && b) return { page, from: a, to: b };
  if (page === 'lineage' && a) return { page, ref: a };
  if (page === 'runs') return { page };
  if (page === 'run' && a) return { page, id: a };
  return { page: 'list' };
}

/** Only http(s) links leave the page (a Temporal UI address from the configuration): never `javascript:`. */
export function safeExternal(url: string | null | undefined): string | undefined {
  return url && /^https?:\/\//i.test(url) ? url : undefined;
}
