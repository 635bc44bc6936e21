/** Sizes and times as the pages print them. */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = n;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** A digest as people see it: always with its algorithm (bare 64-hex digests of older data are SHA-256). */
export function digestText(digest: string): string {
  return /^[0-9a-f]{64}$/.test(digest) ? `sha256:${digest}` : digest;
}

/** Shortened for tables: its algorithm and 12 hex digits. */
export function shortDigest(digest: string): string {
  const shown = digestText(digest);
  return shown.slice(0, shown.indexOf(':') + 13);
}

export function when(iso: string | null): string {
  return iso ? iso.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC') : '-';
}
