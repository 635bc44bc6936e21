// The hardware limits beside the tools, over the same files in the same run: BLAKE3 of every byte in one process on
// all cores (one worker thread per core, the files cut into the 4 MiB chunks ours hashes and the chunks dealt out,
// so one big file also hashes on every core; each byte read once into memory, nothing written), and a plain copy of
// the folder (`cp -r`, which is what any tool that keeps a copy pays at least).
import { Blake3Hasher } from '@napi-rs/blake-hash';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { CHUNK } from './expected-digest.mjs';

/** Reads and hashes this thread's share of [file, offset, length] pieces; returns the bytes hashed. */
function hashPieces(pieces) {
  const buffer = Buffer.allocUnsafe(CHUNK);
  let bytes = 0;
  let open;
  for (const [file, offset, length] of pieces) {
    if (open?.file !== file) {
      if (open) fs.closeSync(open.fd);
      open = { file, fd: fs.openSync(file, 'r') };
    }
    for (let got = 0; got < length;) {
      const n = fs.readSync(open.fd, buffer, got, length - got, offset + got);
      if (n === 0) throw new Error(`${file} shrank while being hashed`);
      got += n;
    }
    new Blake3Hasher().update(buffer.subarray(0, length)).digest('hex');
    bytes += length;
  }
  if (open) fs.closeSync(open.fd);
  return bytes;
}

/** Seconds to BLAKE3 every byte of the files on all cores: consecutive chunks go to the threads in turn. */
export async function blake3AllCores(files, sizes) {
  const cores = os.availableParallelism();
  const shares = Array.from({ length: cores }, () => []);
  let turn = 0;
  files.forEach((file, i) => {
    for (let offset = 0; offset < sizes[i] || offset === 0; offset += CHUNK) shares[turn++ % cores].push([file, offset, Math.min(CHUNK, sizes[i] - offset)]);
  });
  const workers = shares.map((share) => new Worker(new URL(import.meta.url), { workerData: share }));
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
  parentPort.once('message', () => parentPort.postMessage(hashPieces(workerData)));
}
