import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { findTemporalCli } from './temporal-cli';
import { ConfigError } from '../errors';

/** What `server.json` in the data folder records about the shared background dev server. */
export interface DevServerInfo {
  readonly pid: number;
  readonly address: string;
  readonly uiUrl: string;
  readonly dbFile: string;
  readonly logFile: string;
  readonly startedAt: string;
  /** Set by `artifacts server stop`: a deliberate stop, which clients and workers must not undo on their own. */
  readonly stoppedAt?: string;
}

export interface StartOptions {
  readonly dbFile: string;
  readonly logFile: string;
  /** Keep running after this process exits (the embedded default) or die with it (tests). */
  readonly detached: boolean;
  readonly headless?: boolean;
  /** Ports to listen on when they are free (those of the data folder's previous server), so its address stays put. */
  readonly port?: number;
  readonly uiPort?: number;
}

/** Starts `temporal server start-dev` on free loopback ports and waits until it accepts connections. */
export async function startDevServer(options: StartOptions): Promise<DevServerInfo> {
  const cli = findTemporalCli();
  const port = await freePort(options.port);
  const uiPort = await freePort(options.uiPort);
  fs.mkdirSync(path.dirname(options.dbFile), { recursive: true });
  const log = fs.openSync(options.logFile, 'a');
  const args = ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(port), '--ui-port', String(uiPort),
    '--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF',
    '--log-level', 'warn', ...(options.headless ? ['--headless'] : [])];
  const child = spawn(cli, args, { detached: options.detached, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  if (options.detached) child.unref();
  const address = `127.0.0.1:${port}`;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const up = await Promise.race([waitForPort(port, 60_000), exited.then(() => false)]);
  if (!up || child.pid === undefined) {
    child.kill('SIGKILL');
    throw new ConfigError(`The Temporal dev server did not start (${cli} ${args.join(' ')}); see ${options.logFile}.`);
  }
  return { pid: child.pid, address, uiUrl: `http://127.0.0.1:${uiPort}`, dbFile: options.dbFile, logFile: options.logFile, startedAt: new Date().toISOString() };
}

/**
 * Returns the data folder's shared dev server, starting it if none is running. A lock file makes concurrent
 * first clients (several processes at once) start exactly one server. A restarted server listens on the ports of
 * the previous one when they are free, so workers and clients still connected to that address carry on, and it
 * keeps its history in the folder's `temporal.db`.
 */
export async function ensureDevServer(home: string): Promise<DevServerInfo> {
  const running = await devServerStatus(home);
  if (running) return running;
  fs.mkdirSync(home, { recursive: true });
  return withLock(path.join(home, 'server.lock'), async () => {
    const again = await devServerStatus(home);
    if (again) return again;
    const previous = devServerRecord(home);
    const info = await startDevServer({
      dbFile: path.join(home, 'temporal.db'), logFile: path.join(home, 'temporal-server.log'), detached: true,
      ...(previous ? { port: portOf(previous.address), uiPort: portOf(previous.uiUrl) } : {}),
    });
    writeRecord(home, info);
    return info;
  });
}

/** The running shared dev server of a data folder, or undefined when there is none. */
export async function devServerStatus(home: string): Promise<DevServerInfo | undefined> {
  const info = devServerRecord(home);
  if (!info || info.stoppedAt || !isAlive(info.pid)) return undefined;
  return (await canConnect(portOf(info.address))) ? info : undefined;
}

/** What the data folder last recorded about its dev server, running, crashed or stopped; undefined if never started. */
export function devServerRecord(home: string): DevServerInfo | undefined {
  try {
    return JSON.parse(fs.readFileSync(path.join(home, 'server.json'), 'utf8')) as DevServerInfo;
  } catch {
    return undefined;
  }
}

/** Stops the shared dev server; returns what was stopped, or undefined if none ran. */
export async function stopDevServer(home: string): Promise<DevServerInfo | undefined> {
  const info = await devServerStatus(home);
  const record = devServerRecord(home);
  // The record stays (marked stopped) so the next start reuses its address.
  if (record) writeRecord(home, { ...record, stoppedAt: new Date().toISOString() });
  if (!info) return undefined;
  process.kill(info.pid, 'SIGTERM');
  for (let i = 0; i < 100 && isAlive(info.pid); i++) await sleep(100);
  if (isAlive(info.pid)) process.kill(info.pid, 'SIGKILL');
  return info;
}

async function withLock<T>(lockFile: string, fn: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx' });
      break;
    } catch {
      const holder = lockHolder(lockFile);
      if (holder === 'gone') continue;
      if (holder === 'stale') fs.rmSync(lockFile, { force: true });
      else if (Date.now() > deadline) throw new ConfigError(`Timed out waiting for ${lockFile} (held by process ${holder}); if no artifacts process is running, delete it.`);
      else await sleep(100);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

/**
 * Who holds a lock file: its live process id; 'gone' when it was released meanwhile; 'stale' when its process
 * died. An empty file is a holder between creating and writing it, unless it has been empty for seconds.
 */
function lockHolder(lockFile: string): number | 'gone' | 'stale' {
  let text: string;
  let ageMs: number;
  try {
    text = fs.readFileSync(lockFile, 'utf8');
    ageMs = Date.now() - fs.statSync(lockFile).mtimeMs;
  } catch {
    return 'gone';
  }
  const pid = Number(text);
  if (text === '' || !Number.isInteger(pid)) return ageMs > 5_000 ? 'stale' : 0;
  return isAlive(pid) ? pid : 'stale';
}

function isAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function writeRecord(home: string, info: DevServerInfo): void {
  const file = path.join(home, 'server.json');
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(info, null, 2));
  fs.renameSync(`${file}.tmp`, file);
}

function portOf(address: string): number {
  return Number(address.split(':').pop());
}

/** `preferred` when it can be bound on loopback, else a port the system picks. */
async function freePort(preferred?: number): Promise<number> {
  if (preferred) {
    const taken = await listenOn(preferred).then(() => false, () => true);
    if (!taken) return preferred;
  }
  return listenOn(0);
}

function listenOn(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(port, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await canConnect(port)) return true;
    await sleep(100);
  }
  return false;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
