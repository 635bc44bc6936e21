import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { SqlDb } from './sql-db';

/**
 * SQLite through better-sqlite3, in WAL mode. Writers take the database lock up front (BEGIN IMMEDIATE) and wait
 * for each other through busy_timeout, which serializes commits across processes. busy_timeout waits
 * synchronously, so inside one process every connection to the same file shares one promise chain instead:
 * otherwise a second connection would block the event loop while the first one's async transaction waits on it.
 */
/** How long a connection waits for another process's lock before it fails. */
const BUSY_TIMEOUT_MS = 60_000;

/**
 * Runs a pragma, waiting while another process holds the lock it needs. Switching a file to WAL fails at once with
 * SQLITE_BUSY, without going through busy_timeout, when another process is opening or writing the same new file (two
 * processes of one collaborative run starting together did).
 */
function pragmaWaiting(db: Database.Database, text: string): unknown {
  const until = Date.now() + BUSY_TIMEOUT_MS;
  for (let pause = 5; ; pause = Math.min(pause * 2, 200)) {
    try {
      return db.pragma(text);
    } catch (err) {
      if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > until) throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, pause); // a synchronous pause, as busy_timeout's
    }
  }
}

/** Prepared statements kept per connection: preparing one costs more than running a point lookup. */
const MAX_STATEMENTS = 256;

export class SqliteDb implements SqlDb {
  readonly dialect = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private static readonly queues = new Map<string, Promise<unknown>>();
  private readonly file: string;

  constructor(file: string) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.file = path.resolve(file);
    this.db = new Database(file, { timeout: BUSY_TIMEOUT_MS });
    pragmaWaiting(this.db, 'journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('foreign_keys = ON');
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.statement(sql).all(...params) as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<{ changes: number }> {
    const info = this.statement(sql).run(...params);
    return { changes: info.changes };
  }

  /** The statement for `sql`, prepared once (the oldest is dropped past MAX_STATEMENTS: some texts vary with a list's length). */
  private statement(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      if (this.statements.size >= MAX_STATEMENTS) this.statements.delete(this.statements.keys().next().value!);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    const queue = SqliteDb.queues.get(this.file) ?? Promise.resolve();
    const result = queue.then(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const value = await fn(this);
        this.db.exec('COMMIT');
        return value;
      } catch (err) {
        this.db.exec('ROLLBACK');
        throw err;
      }
    });
    SqliteDb.queues.set(this.file, result.catch(() => undefined));
    return result;
  }

  async close(): Promise<void> {
    await SqliteDb.queues.get(this.file);
    this.db.close();
  }
}
