import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { InvalidPathError } from 'temporal-artifacts';
import { normalizeEntryPath, resolveInside } from 'temporal-artifacts/internal';

const HOSTILE: [string, RegExp][] = [
  ['', /empty/],
  ['..', /"\.\." segments/],
  ['a/../../etc/passwd', /"\.\." segments/],
  ['a/..', /"\.\." segments/],
  ['/etc/passwd', /absolute/],
  ['a//b', /empty segment/],
  ['a/', /empty segment/],
  ['C:evil', /drive-letter/],
  ['c:/x', /drive-letter/],
  ['a\\b', /backslash/],
  ['a\u0000b', /control character/],
  ['line\nbreak', /control character/],
  ['del\u007f', /control character/],
  ['c1\u0085', /control character/],
  ['.', /names no file/],
  ['.artifacts-data-folder', /is reserved: it marks the data folder/],
  ['models/./.artifacts-data-folder', /is reserved: it marks the data folder/],
];
const LONG: [string, string, RegExp][] = [
  ['a segment of 256 bytes', `${'a'.repeat(256)}/x`, /256 bytes long/],
  ['a segment of 86 three-byte characters', '€'.repeat(86), /258 bytes long/],
  ['a path of 5,019 bytes', Array.from({ length: 20 }, () => 'b'.repeat(250)).join('/'), /file systems allow paths of 4096/],
];

describe('entry paths', () => {
  test.each([...HOSTILE.map(([name, why]): [string, string, RegExp] => [JSON.stringify(name), name, why]), ...LONG])('%s is refused, saying why, and never resolves under a folder', (_, name, why) => {
    expect(() => normalizeEntryPath(name)).toThrow(InvalidPathError);
    expect(() => normalizeEntryPath(name)).toThrow(why);
    expect(() => resolveInside('/srv/data', name)).toThrow(InvalidPathError);
  });

  test('normal paths come back as they are; "." segments are dropped', () => {
    for (const name of ['a', 'a/b/c.txt', '.hidden/..x/x..', '...', 'é/€/日本', `${'é'.repeat(127)}/f`, ':x', '1:x']) expect(normalizeEntryPath(name)).toBe(name);
    expect(normalizeEntryPath('./a/./b')).toBe('a/b');
    expect(normalizeEntryPath('a/.')).toBe('a');
  });

  test('an entry resolves to the place under the folder that path.resolve gives, whatever the folder is written as', () => {
    for (const root of ['/srv/data', '/srv/data/', '/srv//data/./x/..', '/', 'relative/dir'])
      for (const name of ['a', 'a/b/c.txt', './a/./b']) expect(resolveInside(root, name)).toBe(path.resolve(root, ...normalizeEntryPath(name).split('/')));
  });
});
