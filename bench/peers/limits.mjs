// The hardware limits beside the tools, over the same files in the same run: SHA-256 of every byte in one process
// on all cores (node crypto, one worker thread per core, each reading its share of the files), and a plain copy
// of the folder (`cp -r`, which is what any tool that keeps a copy pays at least).
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const CHUNK = 8 << 20;

function hashFiles(files) {
  const buffer = Buffer.allocUnsafe(CHUNK);
  let bytes = 0;
  for (const file of files) {
    const hash = createHash('sha256');
    const fd = fs.openSync(file, 'r');
    for (;;) {
      const n = fs.readSync(fd, buffer, 0, CHUNK, null);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
      bytes += n;
    }
    fs.closeSync(fd);
    hash.digest();
  }
  return bytes;
}

/** Seconds to SHA-256 every file on all cores; files are dealt out so each thread gets about the same bytes. */
export async function sha256AllCores(files, sizes) {
  const cores = os.availableParallelism();
  const shares = Array.from({ length: cores }, () => ({ files: [], bytes: 0 }));
  const order = files.map((f, i) => [f, sizes[i]]).sort((a, b) => b[1] - a[1]);
  for (const [f, size] of order) {
    const lightest = shares.reduce((a, b) => (b.bytes < a.bytes ? b : a));
    lightest.files.push(f);
    lightest.bytes += size;
  }
  const workers = shares.map((s) => new Worker(new URL(import.meta.url), { workerData: s.files }));
  await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
  const started = process.hrtime.bigint();
  for (const w of workers) w.postMessage('go');
  await Promise.all(workers.map((w) => new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); })));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await Promise.all(workers.map((w) => w.terminate()));
  return seconds;
}

/** Seconds for `cp -r src dest` (dest must not exist; the caller removes it). */
export function plainCopy(src, dest) {
  const started = process.hrtime.bigint();
  execFileSync('cp', ['-r', src, dest]);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

if (!isMainThread) {
  parentPort.postMessage('ready');
  parentPort.once('message', () => parentPort.postMessage(hashFiles(workerData)));
}
