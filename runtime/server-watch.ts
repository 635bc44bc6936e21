import net from 'node:net';
import type { ArtifactsConfig } from './config';
import { devServerRecord, ensureDevServer } from './dev-server';

/** Where a watched server went: its address now, which differs from the watched one when its port was taken. */
export type ServerMovedListener = (address: string) => void;

/**
 * Watches the Temporal frontend one process talks to. When it stops answering, says so once (stderr) and, for the
 * embedded dev server that crashed (not one stopped with `artifacts server stop`), starts it again on the same
 * address with the same database; when it answers again, says once that the work continues. Clients wait on
 * `reachable()` instead of failing; workers' connections reconnect by themselves to the same address.
 */
export class ServerWatch {
  private down = false;
  private timer: NodeJS.Timeout | undefined;
  private waiters: (() => void)[] = [];
  private probing = false;
  private readonly said = new Set<string>();
  private readonly moved: ServerMovedListener[] = [];
  /** The address the embedded server came back at, when it is not the watched one. */
  movedTo: string | undefined;
  /** The embedded server's process, to notice a restart too quick for a probe to see it down. */
  private serverPid: number | undefined;

  constructor(
    private readonly config: ArtifactsConfig,
    readonly address: string,
    private readonly say: (line: string) => void = (line) => process.stderr.write(`\n${line}\n`),
    private readonly intervalMs = 1000,
  ) {}

  /** Whether the watch runs: from the first answer of the server until this process closes its connection. */
  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): this {
    this.serverPid ??= this.embeddedPid();
    this.timer ??= setInterval(() => void this.probe(), this.intervalMs).unref();
    return this;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.release();
  }

  /** Called when the embedded server came back on another address (its port was taken meanwhile). */
  onMoved(listener: ServerMovedListener): void {
    this.moved.push(listener);
  }

  /** Resolves once the server answers (at once when it does now). */
  async reachable(): Promise<void> {
    if (!this.down && (await canConnect(this.address))) return;
    this.start();
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private async probe(): Promise<void> {
    if (this.probing || this.movedTo) return;
    this.probing = true;
    try {
      const up = await canConnect(this.address);
      if (await this.embeddedMoved()) return;
      if (up && this.down) this.backUp();
      else if (up) this.checkRestart();
      else await this.wentDown();
    } finally {
      this.probing = false;
    }
  }

  /** Whether the data folder's dev server now runs at another address (then says so and tells the listeners). */
  private async embeddedMoved(): Promise<boolean> {
    if (this.config.temporalAddress) return false;
    const record = devServerRecord(this.config.home);
    if (!record || record.stoppedAt || record.address === this.address || !(await canConnect(record.address))) return false;
    this.movedTo = record.address;
    this.say(`The embedded dev server now runs at ${record.address}, not ${this.address} (that port was taken while it was down).`);
    for (const listener of this.moved) listener(record.address);
    this.release();
    return true;
  }

  /** Says once when the embedded server was restarted between two probes, and lets waiting calls go on. */
  private checkRestart(): void {
    const pid = this.embeddedPid();
    if (pid !== undefined && this.serverPid !== undefined && pid !== this.serverPid) {
      this.say(`The Temporal dev server at ${this.address} was restarted; the work continues.`);
    }
    this.serverPid = pid ?? this.serverPid;
    this.release();
  }

  private embeddedPid(): number | undefined {
    if (this.config.temporalAddress) return undefined;
    const record = devServerRecord(this.config.home);
    return record && !record.stoppedAt && record.address === this.address ? record.pid : undefined;
  }

  private backUp(): void {
    this.down = false;
    this.serverPid = this.embeddedPid() ?? this.serverPid;
    this.say(`The Temporal server at ${this.address} answers again; the work continues.`);
    this.release();
  }

  private async wentDown(): Promise<void> {
    const embedded = !this.config.temporalAddress;
    if (!this.down) {
      this.down = true;
      this.say(`The Temporal server at ${this.address} stopped answering; ${embedded ? 'restarting the embedded dev server (its history is kept in the data folder)' : 'waiting for it to come back'}; nothing is lost meanwhile.`);
    }
    if (!embedded) return;
    const record = devServerRecord(this.config.home);
    if (record?.stoppedAt) return this.sayOnce(`The embedded dev server was stopped with \`artifacts server stop\`; run \`artifacts server start\` and the work continues.`);
    await ensureDevServer(this.config.home).catch((err: Error) => this.sayOnce(`Could not restart the embedded dev server: ${err.message}`));
    await this.embeddedMoved();
  }

  private sayOnce(line: string): undefined {
    if (!this.said.has(line)) this.say(line);
    this.said.add(line);
    return undefined;
  }

  private release(): void {
    for (const resolve of this.waiters.splice(0)) resolve();
  }
}

/** Whether something accepts TCP connections at `host:port` within a second. */
export function canConnect(address: string): Promise<boolean> {
  const at = address.lastIndexOf(':');
  const host = address.slice(0, at) || '127.0.0.1';
  const port = Number(address.slice(at + 1));
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 1000 });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
