import { randomUUID } from 'node:crypto';
import { normalizeEntryPath } from '../store/paths';
import { checkArtifactName } from '../store/registry/ref';
import { UsageError } from '../errors';
import { LoggedVersion } from './artifact-version';
import { logArtifact, type LogOptions } from './log';
import { sharedSession } from './shared-session';
import { opsMayContain, SpecBuilder } from './spec-ops';

/**
 * An artifact being assembled. `addFile`, `addDir`, `addReference`, `add` and `remove` record intent at once and
 * fail fast on a bad name or a missing file; hashing and uploading happen later, inside a durable activity.
 * Adding a name that is already there replaces that entry.
 */
export class Artifact extends SpecBuilder {
  description: string | undefined;
  metadata: Record<string, unknown>;
  constructor(readonly name: string, readonly type: string, options: { description?: string; metadata?: Record<string, unknown> } = {}) {
    super();
    checkArtifactName(name);
    if (typeof type !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(type)) {
      throw new UsageError(`Invalid artifact type ${JSON.stringify(type)} for ${JSON.stringify(name)}: use a word such as "dataset", "model" or "predictions".`);
    }
    this.description = options.description;
    this.metadata = { ...(options.metadata ?? {}) };
  }

  /** Removes an entry, or every entry under a folder prefix, added earlier to this artifact. */
  remove(nameOrPrefix: string): this {
    const target = normalizeEntryPath(nameOrPrefix);
    if (!opsMayContain(this.ops, target)) {
      throw new UsageError(`remove(${JSON.stringify(nameOrPrefix)}): artifact ${JSON.stringify(this.name)} has no entry or folder by that name; check the names you added.`);
    }
    this.ops.push({ op: 'remove', path: target });
    return this;
  }

  /**
   * Logs this artifact outside a run, through the one session every save of this process shares (opened on the
   * first, closed a moment after the last, so neither many saves nor a forgotten close cost a worker each).
   */
  async save(options: LogOptions = {}): Promise<LoggedVersion> {
    const shared = sharedSession();
    return shared.use(async (session) => LoggedVersion.of(await logArtifact(session, randomUUID(), 0, this, options), shared.store));
  }
}
