/**
 * The UI server's one road to the data: an Api for the registry and the store (no Temporal needed), and a Session,
 * opened on the first request about pipeline runs, for Temporal. Both come from the client layer, as the CLI's do.
 */
import { Api, Session } from '../client';

export class UiData {
  readonly api: Api;
  private session: Promise<Session> | undefined;

  constructor(readonly env: NodeJS.ProcessEnv = process.env) {
    this.api = new Api({ env });
  }

  /** A connection to Temporal without a worker: the UI reads runs, it never runs work. */
  temporal(): Promise<Session> {
    this.session ??= Session.open({ worker: false, handleSignals: false }).catch((err: unknown) => {
      this.session = undefined;
      throw err;
    });
    return this.session;
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await Promise.allSettled([this.api.close(), session?.then((s) => s.close())]);
  }
}
