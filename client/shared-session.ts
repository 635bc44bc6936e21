import { Session, type SessionOptions } from './session';
import { configFromEnv, type ArtifactsConfig } from '../runtime/config';
import { once } from '../plugin/artifacts-plugin';
import { Store } from '../store/store';

/** How long a session with no write in flight keeps its worker and connections before closing them. */
export const IDLE_CLOSE_MS = 1_500;

/**
 * A session opened on first use, shared by every write that needs it, whose worker and connections close once no
 * write has been in flight for a moment. Those are what keep a Node process alive, so a script that never calls
 * `run.finish()` still exits when its own work is done (the idle timer does not hold the process either); a write
 * after that opens them again. The store stays open across (it holds no handle that keeps a process alive), so a
 * version read later is not cut off.
 */
export class SharedSession {
  readonly config: ArtifactsConfig;
  /** The store every session of this one uses, opened once. */
  readonly store: () => Promise<Store>;
  /** How many sessions this one has opened so far (one per busy stretch), for diagnostics and tests. */
  opens = 0;
  private opened: Promise<Session> | undefined;
  private users = 0;
  private idle: NodeJS.Timeout | undefined;
  private closed = false;
  /** Sessions being closed (an idle close runs in the background). */
  private readonly closing = new Set<Promise<void>>();

  constructor(private readonly options: Omit<SessionOptions, 'store'> = {}, private readonly idleMs = IDLE_CLOSE_MS) {
    this.config = options.config ?? configFromEnv();
    const config = this.config;
    this.store = once(() => Store.fromConfig(config));
  }

  /** Runs `work` with the open session (opening it if needed); it stays open while any work runs. */
  async use<R>(work: (session: Session) => Promise<R>): Promise<R> {
    clearTimeout(this.idle);
    this.users++;
    try {
      return await work(await (this.opened ??= this.open()));
    } finally {
      if (--this.users === 0 && !this.closed) this.closeWhenIdle();
    }
  }

  /** Closes the worker and connections now and the store too; nothing opens again. */
  async close(): Promise<void> {
    this.closed = true;
    await this.release();
    await (await this.store()).close();
  }

  private open(): Promise<Session> {
    this.opens++;
    const opening = Session.open({ ...this.options, config: this.config, store: this.store });
    // A failed open is not kept: the next use tries again.
    opening.catch(() => {
      if (this.opened === opening) this.opened = undefined;
    });
    return opening;
  }

  /** Closes the worker and connections (not the store); a later `use` opens new ones. */
  private async release(): Promise<void> {
    clearTimeout(this.idle);
    const opened = this.opened;
    this.opened = undefined;
    const closing = (async () => (await opened?.catch(() => undefined))?.close())();
    this.closing.add(closing);
    try {
      // An idle close may still be shutting a worker down: wait for it too, so none outlives close().
      await Promise.all(this.closing);
    } finally {
      this.closing.delete(closing);
    }
  }

  private closeWhenIdle(): void {
    this.idle = setTimeout(() => void this.release(), this.idleMs);
    this.idle.unref();
  }
}

let shared: { readonly key: string; readonly session: SharedSession } | undefined;

/**
 * The one session `artifact.save()` and `draft.save()` outside a run share in this process, for the settings the
 * environment names now: when they change (another data folder, registry or server), the next save gets a new one.
 */
export function sharedSession(): SharedSession {
  const config = configFromEnv();
  const key = JSON.stringify(config);
  if (shared?.key !== key) {
    void shared?.session.close().catch(() => undefined);
    shared = { key, session: new SharedSession({ config }) };
  }
  return shared.session;
}
