import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { Api } from 'temporal-artifacts';
import { Store } from 'temporal-artifacts/internal';
import { referenceBlake3 } from './blake3-reference';
import { blobFile, cli, tempDir } from './helpers';

/** `test/fixtures/registry-v1`: a data folder of the release before BLAKE3, its blobs and version digests bare SHA-256 hex. */
const FIXTURE = path.join(__dirname, 'fixtures', 'registry-v1');

function copyFixture(): string {
  const home = tempDir('artifacts-sha256-');
  fs.cpSync(FIXTURE, home, { recursive: true });
  return home;
}

/** Bytes 0, 1, ... 250, 0, 1 ...: the pattern of the BLAKE3 test vectors. */
function pattern(size: number): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = i % 251;
  return bytes;
}

describe('digests name their algorithm', () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });

  test('the reference BLAKE3 these tests check against gives the published digests', () => {
    expect(referenceBlake3('')).toBe('af1349b9f5f9a1a6a0404dea36dcc9499bcb25c9adc112b7cc9a93cae41f3262');
    expect(referenceBlake3('abc')).toBe('6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85');
  });

  test('new bytes and files are stored under blake3:<hex> of their bytes, as a BLAKE3 written from the specification computes it', async () => {
    const dir = tempDir('artifacts-b3-');
    const store = await Store.fromConfig({ home: dir, blobUrl: path.join(dir, 'blobs') });
    closers.push(() => store.close());
    for (const size of [0, 1, 1024, 1025, 70_000]) {
      const bytes = pattern(size);
      expect(await store.blobs.putBytes(bytes)).toBe(`blake3:${referenceBlake3(bytes)}`);
    }
    for (const size of [5, 300_000, 2 << 20]) {
      const file = path.join(dir, `f-${size}.bin`);
      fs.writeFileSync(file, pattern(size));
      const stored = await store.blobs.ingestFile(file);
      expect(stored.digest).toBe(`blake3:${referenceBlake3(pattern(size))}`);
      expect(fs.existsSync(blobFile(path.join(dir, 'blobs'), stored.digest))).toBe(true);
    }
  });

  test('versions made with SHA-256 resolve by their digest with or without sha256:, verify, download, and a damaged old blob is still caught', async () => {
    const home = copyFixture();
    const api = new Api({ env: { ARTIFACTS_HOME: home } });
    closers.push(() => api.close());
    const v2 = await api.artifact('dataset:v2');
    expect(v2.digest).toMatch(/^[0-9a-f]{64}$/);
    expect((await api.artifact(`dataset@${v2.digest.slice(0, 12)}`)).version).toBe('v2');
    expect((await api.artifact(`dataset@sha256:${v2.digest.slice(0, 12)}`)).version).toBe('v2');
    await expect(api.artifact(`dataset@blake3:${v2.digest.slice(0, 12)}`)).rejects.toThrow(/dataset@blake3:/);
    expect(await v2.verify()).toMatchObject({ ok: true, checked: 3, manifestOk: true });
    const out = tempDir('artifacts-sha256-out-');
    await v2.download(out);
    expect(fs.readFileSync(path.join(out, 'extra.txt'), 'utf8')).toBe('delta\n');

    const extra = (await v2.files()).find((f) => f.path === 'extra.txt')!;
    expect(extra.digest).toMatch(/^[0-9a-f]{64}$/);
    fs.writeFileSync(blobFile(path.join(home, 'blobs'), extra.digest), 'DELTA\n');
    const report = await v2.verify();
    expect(report).toMatchObject({ ok: false, manifestOk: true, mismatches: [{ path: 'extra.txt', expected: extra.digest }] });
    const shown = cli(['show', 'dataset:v2'], { ...process.env, ARTIFACTS_HOME: home });
    expect(shown.stdout).toContain(`digest:   sha256:${v2.digest}`);
  });
});
