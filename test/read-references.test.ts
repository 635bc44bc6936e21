import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Artifact, IntegrityError, UsageError } from 'temporal-artifacts';
import { freshS3Url, removeTestPrefixes, s3Env } from './contract/services';
import { spawnLive, tempDir, writeFiles, type CliResult, shortDigest, b3 } from './helpers';
import { sharedRun } from './shared-run';

const shared = sharedRun();
const { api, env } = shared;
const artifacts = (args: string[]): Promise<CliResult> => spawnLive(args, env).exited;
const sha = b3;

/** A local HTTP server whose files the test can change or take away. */
const origin = { files: new Map<string, string>(), server: http.createServer(), url: '' };
beforeAll(async () => {
  origin.server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const body = origin.files.get(req.url ?? '');
    if (body === undefined) res.writeHead(404).end('not found');
    else res.writeHead(200, { 'Content-Length': Buffer.byteLength(body), ETag: `"${sha(body).slice(0, 16)}"` }).end(body);
  });
  await new Promise<void>((resolve) => origin.server.listen(0, '127.0.0.1', resolve));
  origin.url = `http://127.0.0.1:${(origin.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  origin.server.closeAllConnections();
  await new Promise((resolve) => origin.server.close(resolve));
  await removeTestPrefixes();
});

describe('HTTP references', () => {
  test('a checksummed HTTP reference changed at its origin fails the download naming it; the other files arrive', async () => {
    origin.files.set('/weights.bin', 'weights v1');
    origin.files.set('/notes.txt', 'notes, whatever they are now');
    const artifact = new Artifact('http-model', 'model').addFile(path.join(writeFiles({ 'readme.txt': 'read me' }), 'readme.txt'))
      .addReference(`${origin.url}/weights.bin`).addReference(`${origin.url}/notes.txt`, { checksum: false });
    const v = await api.artifact((await shared.run.logArtifact(artifact)).ref);
    expect(await v.files()).toEqual([
      { path: 'notes.txt', digest: sha(`${origin.url}/notes.txt`), size: 0, ref: `${origin.url}/notes.txt` },
      { path: 'readme.txt', digest: sha('read me'), size: 7 },
      { path: 'weights.bin', digest: sha('weights v1'), size: 10, ref: `${origin.url}/weights.bin` },
    ]);
    const first = tempDir();
    expect(await v.download(first)).toMatchObject({ fetched: 3 });
    expect(fs.readFileSync(path.join(first, 'weights.bin'), 'utf8')).toBe('weights v1');

    origin.files.set('/weights.bin', 'weights v2');
    origin.files.set('/notes.txt', 'other notes');
    const target = tempDir();
    const download = v.download(target);
    await expect(download).rejects.toBeInstanceOf(IntegrityError);
    await expect(download).rejects.toThrow(`1 of 3 files of http-model:v0 do not match their digests and were not written to ${target}:\n` +
      `  weights.bin: changed at its origin ${origin.url}/weights.bin since it was logged (expected ${shortDigest(sha('weights v1'))}, found ${shortDigest(sha('weights v2'))})`);
    expect(fs.readdirSync(target).sort()).toEqual(['notes.txt', 'readme.txt']);
    expect(fs.readFileSync(path.join(target, 'notes.txt'), 'utf8')).toBe('other notes');
    await expect((await v.getEntry('weights.bin')).bytes()).rejects.toThrow('weights.bin does not match its digest');
  });

  test('an unreachable origin names the entry and does not fail the other files', async () => {
    origin.files.set('/gone.bin', 'here for now');
    const artifact = new Artifact('http-gone', 'model').addFile(path.join(writeFiles({ 'kept.txt': 'kept' }), 'kept.txt')).addReference(`${origin.url}/gone.bin`);
    const v = await api.artifact((await shared.run.logArtifact(artifact)).ref);
    origin.files.delete('/gone.bin');

    const target = tempDir();
    await expect(v.download(target)).rejects.toThrow(`  gone.bin: its origin could not be read (the server answered 404 Not Found)`);
    expect(fs.readdirSync(target)).toEqual(['kept.txt']);
  });

  // The CLI runs in the background (spawnLive): the origin is served by this very process, which must not block.
  test('artifacts log accepts URIs beside paths, and an origin that cannot be read is refused at log time', async () => {
    origin.files.set('/cli.txt', 'from the cli');
    const logged = await artifacts(['log', `${origin.url}/cli.txt`, path.join(writeFiles({ 'local.txt': 'local' }), 'local.txt'), '--name', 'http-cli', '--type', 'dataset']);
    expect(logged).toMatchObject({ code: 0, stdout: expect.stringContaining('created http-cli:v0  (2 files, 17 B') });
    expect(await artifacts(['cat', 'http-cli:v0', 'cli.txt'])).toMatchObject({ code: 0, stdout: 'from the cli' });
    const missing = await artifacts(['log', `${origin.url}/nothing.txt`, '--name', 'http-cli', '--type', 'dataset']);
    expect(missing).toMatchObject({ code: 2, stderr: expect.stringContaining(`Cannot add the reference nothing.txt: cannot read ${origin.url}/nothing.txt: the server answered 404 Not Found.`) });
  });
});

describe('S3 references', () => {
  test('an S3 prefix expands into one entry per object, downloads from the bucket, and a changed object is named', async () => {
    const url = await freshS3Url();
    const bucket = new URL(url).hostname;
    const prefix = new URL(url).pathname.slice(1);
    const s3 = new S3Client({ endpoint: s3Env.AWS_ENDPOINT_URL, region: s3Env.AWS_REGION, forcePathStyle: true });
    const put = (key: string, body: string): Promise<unknown> => s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}/${key}`, Body: body }));
    await put('data/a.txt', 'object a');
    await put('data/sub/b.txt', 'object b');
    await put('data-other/c.txt', 'not under data/');

    const artifact = new Artifact('s3-ref', 'dataset').addReference(`${url}/data`, { name: 'train' }).addReference(`${url}/data-other/c.txt`);
    const v = await api.artifact((await shared.run.logArtifact(artifact)).ref);
    expect((await v.files()).map((f) => [f.path, f.digest, f.size, f.ref])).toEqual([
      ['c.txt', sha('not under data/'), 15, `${url}/data-other/c.txt`],
      ['train/a.txt', sha('object a'), 8, `${url}/data/a.txt`],
      ['train/sub/b.txt', sha('object b'), 8, `${url}/data/sub/b.txt`],
    ]);
    const target = tempDir();
    expect(await v.download(target)).toMatchObject({ files: 3, fetched: 3 });
    expect(fs.readFileSync(path.join(target, 'train/sub/b.txt'), 'utf8')).toBe('object b');

    await put('data/a.txt', 'object A');
    await expect(v.download(tempDir())).rejects.toThrow(`  train/a.txt: changed at its origin ${url}/data/a.txt since it was logged`);
    await expect(shared.run.logArtifact(new Artifact('s3-ref-capped', 'dataset').addReference(`${url}/data`, { maxObjects: 1 })))
      .rejects.toThrow(`${url}/data holds more than 1 objects; pass { maxObjects }`);
    expect(() => new Artifact('x', 'y').addReference(`${url}/data`, { maxObjects: 0 })).toThrow(UsageError);
    s3.destroy();
  });
});
