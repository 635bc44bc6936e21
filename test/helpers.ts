import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { Blake3Hasher } from '@napi-rs/blake-hash';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll } from 'vitest';

export const ROOT = path.resolve(__dirname, '..');
export const CLI = path.join(ROOT, 'dist', 'cli', 'main.js');

/** A fresh data folder and task queue, so tests sharing one Temporal server never see each other's work. */
export function isolatedEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv & { ARTIFACTS_HOME: string } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'artifacts-home-'));
  return { ...process.env, ARTIFACTS_HOME: home, ARTIFACTS_TASK_QUEUE: `test-${randomUUID().slice(0, 8)}`, ...extra };
}

export function tempDir(prefix = 'artifacts-data-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes files (relative path -> content) under a new temp folder and returns it. */
export function writeFiles(files: Record<string, string | Buffer>, dir = tempDir()): string {
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the built `artifacts` command and waits for it. */
export function cli(args: string[], env: NodeJS.ProcessEnv): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], { env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a Node script (ESM, may import 'temporal-artifacts') as its own process. */
export function nodeScript(source: string, env: NodeJS.ProcessEnv): Promise<CliResult> {
  const file = path.join(tempDir('artifacts-script-'), 'script.mjs');
  const resolved = source
    .replaceAll("'temporal-artifacts/internal'", JSON.stringify(path.join(ROOT, 'dist', 'internal.js')))
    .replaceAll("'temporal-artifacts'", JSON.stringify(path.join(ROOT, 'dist', 'index.js')));
  fs.writeFileSync(file, resolved);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

/** Starts `artifacts worker` in the background and resolves once it says it is ready. */
export async function startWorker(env: NodeJS.ProcessEnv): Promise<ChildProcess> {
  const child = spawn(process.execPath, [CLI, 'worker'], { env: { ...env, ARTIFACTS_LOG_LEVEL: 'WARN' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (d: Buffer): void => {
      output += d.toString();
      if (output.includes('worker ready')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => reject(new Error(`worker exited with ${code}: ${output}`)));
  });
  return child;
}

export async function waitFor<T>(probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Writes `size` bytes no other test writes (random 1 MiB blocks, each numbered), so a content-addressed store never
 * finds them already present; returns the digest the store gives them (see contentDigest).
 */
export function writeUniqueFile(file: string, size: number): string {
  const block = randomBytes(1024 * 1024);
  const hash = new ContentHash();
  const fd = fs.openSync(file, 'w');
  for (let done = 0, i = 0; done < size; done += block.length, i++) {
    block.writeUInt32LE(i, 0);
    const chunk = block.subarray(0, Math.min(block.length, size - done));
    fs.writeSync(fd, chunk);
    hash.update(chunk);
  }
  fs.closeSync(fd);
  return hash.digest();
}

const CHUNK = 4 * 1024 * 1024;

/**
 * The digest the store gives a file's bytes, computed here from the format (docs/format.md): `blake3:` of the bytes
 * up to one 4 MiB chunk; beyond, `blake3c:` of the list of `<hex of each chunk's BLAKE3> <length>` lines.
 */
export class ContentHash {
  private readonly lines: string[] = [];
  private current = new Blake3Hasher();
  private filled = 0;

  update(bytes: Uint8Array): void {
    for (let at = 0; at < bytes.length;) {
      const take = Math.min(bytes.length - at, CHUNK - this.filled);
      this.current.update(Buffer.from(bytes.buffer, bytes.byteOffset + at, take));
      this.filled += take;
      at += take;
      if (this.filled === CHUNK) this.cut();
    }
  }

  digest(): string {
    if (this.filled > 0 || this.lines.length === 0) this.cut();
    if (this.lines.length === 1) return `blake3:${this.lines[0]!.split(' ')[0]}`;
    return `blake3c:${new Blake3Hasher().update(this.lines.join('')).digest('hex')}`;
  }

  private cut(): void {
    this.lines.push(`${this.current.digest('hex')} ${this.filled}\n`);
    this.current = new Blake3Hasher();
    this.filled = 0;
  }
}

/** The digest the store gives these bytes (see ContentHash). */
export function contentDigest(bytes: Uint8Array): string {
  const hash = new ContentHash();
  hash.update(bytes);
  return hash.digest();
}

/** `blake3:<hex>` of some bytes: the digest new content is stored under, computed here without the store's code. */
export function b3(data: string | Uint8Array): string {
  return `blake3:${new Blake3Hasher().update(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength)).digest('hex')}`;
}

/** Where a blob sits under a store's or cache's root (`<root>/<algorithm>/ab/cdef...`; bare hex is SHA-256). */
export function blobFile(root: string, digest: string): string {
  const [algorithm, hex] = digest.includes(':') ? digest.split(':') as [string, string] : ['sha256', digest];
  return path.join(root, algorithm, hex.slice(0, 2), hex.slice(2));
}

/** A blob's key in a bucket under `prefix`. */
export function blobKey(prefix: string, digest: string): string {
  const [algorithm, hex] = digest.includes(':') ? digest.split(':') as [string, string] : ['sha256', digest];
  return `${prefix}/${algorithm}/${hex.slice(0, 2)}/${hex.slice(2)}`;
}

/** A digest as messages show it: algorithm and 16 hex digits. */
export function shortDigest(digest: string): string {
  const shown = digest.includes(':') ? digest : `sha256:${digest}`;
  return shown.slice(0, shown.indexOf(':') + 17);
}

/** A background process whose output is collected as it comes, for tests that signal or outlive it. */
export interface LiveProcess {
  readonly child: ChildProcess;
  readonly output: { stdout: string; stderr: string };
  /** Resolves with the exit code, or 128 + the signal number when a signal ended it without a handler. */
  readonly exited: Promise<CliResult>;
}

/** Starts `artifacts ARGS...` (or, with `script`, a Node file) in the background. */
export function spawnLive(args: string[], env: NodeJS.ProcessEnv, script?: string): LiveProcess {
  const child = spawn(process.execPath, script ? [script, ...args] : [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (output.stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output.stderr += d.toString()));
  const exited = new Promise<CliResult>((resolve) => child.on('exit', (code, signal) => {
    resolve({ code: code ?? 128 + (signal ? os.constants.signals[signal] : 0), ...output });
  }));
  return { child, output, exited };
}

/**
 * A Temporal client for the test file that calls this at its top level; after the file, the connection is closed and
 * every process still running in `children` is killed.
 */
export function fileClient(children: readonly ChildProcess[]): () => Client {
  let connection: Connection | undefined;
  let client: Client | undefined;
  beforeAll(async () => {
    connection = await Connection.connect({ address: process.env['TEMPORAL_ADDRESS']! });
    client = new Client({ connection });
  });
  afterAll(async () => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    await connection?.close();
  });
  return () => client!;
}

/** The pid of a process that has ended (and been reaped): what a killed writer's temp names carry. */
export function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}
