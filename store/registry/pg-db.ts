import pg from 'pg';
import type { SqlDb } from './sql-db';
import { ConfigError } from '../../errors';

/**
 * Every writer takes this transaction-scoped advisory lock first, so read-then-write sequences (the next version
 * number, the migrations run at start) are serialized across every process and host using the database. It is
 * released by COMMIT or ROLLBACK, also when a client dies, because PostgreSQL ends the session with it.
 */
const WRITER_LOCK = 7_413_220_601;

/** Connection errors worth a configuration hint rather than a raw driver message. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH',
  '28P01', '28000', '3D000', '57P03']);

/**
 * PostgreSQL through `pg`: a small pool for reads, one pooled connection held for each transaction. The registry
 * writes `?` placeholders; they become `$1, $2, ...` here.
 */
export class PgDb implements SqlDb {
  readonly dialect = 'postgres' as const;
  private readonly pool: pg.Pool;
  /** The URL with its password hidden, for messages. */
  readonly location: string;

  constructor(url: string, poolSize = 4) {
    this.location = redactUrl(url);
    this.pool = new pg.Pool({ connectionString: url, max: poolSize, connectionTimeoutMillis: 10_000 });
    // An idle pooled connection that the server drops must not crash the process; the next query reconnects.
    this.pool.on('error', () => undefined);
  }

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.query(this.pool, sql, params)).rows as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<{ changes: number }> {
    return { changes: (await this.query(this.pool, sql, params)).rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw this.explain(err);
    }
    const tx = new PgTransaction(client, this);
    try {
      await tx.run('BEGIN');
      await tx.run('SELECT pg_advisory_xact_lock(?)', [WRITER_LOCK]);
      const value = await fn(tx);
      await tx.run('COMMIT');
      return value;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  /** @internal Runs one statement on a pool or a transaction's connection, explaining connection failures. */
  async query(on: pg.Pool | pg.PoolClient, sql: string, params: readonly unknown[]): Promise<pg.QueryResult> {
    try {
      return await on.query(toNumberedPlaceholders(sql), [...params]);
    } catch (err) {
      throw this.explain(err);
    }
  }

  private explain(err: unknown): unknown {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && UNREACHABLE.has(code)) {
      return new ConfigError(`Cannot reach the registry at ${this.location}: ${(err as Error).message} (${code}). ` +
        'Check ARTIFACTS_REGISTRY (postgres://user:password@host:port/database), that the server is running and that the database exists.');
    }
    return err;
  }
}

/** One transaction's view: every statement on the connection that holds the writer lock. */
class PgTransaction implements SqlDb {
  readonly dialect = 'postgres' as const;
  constructor(private readonly client: pg.PoolClient, private readonly db: PgDb) {}

  async all<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return (await this.db.query(this.client, sql, params)).rows as T[];
  }

  async run(sql: string, params: readonly unknown[] = []): Promise<{ changes: number }> {
    return { changes: (await this.db.query(this.client, sql, params)).rowCount ?? 0 };
  }

  /** Already inside a transaction holding the lock: nested calls join it. */
  async transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    return fn(this);
  }

  async close(): Promise<void> {
    throw new Error('A transaction does not own its connection; close the database instead.');
  }
}

/** Rewrites `?` placeholders as `$1, $2, ...`, leaving question marks inside quoted strings and identifiers alone. */
export function toNumberedPlaceholders(sql: string): string {
  let out = '';
  let n = 0;
  let quote: string | undefined;
  for (const ch of sql) {
    if (quote) {
      if (ch === quote) quote = undefined;
      out += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      out += ch;
    } else if (ch === '?') {
      out += `$${++n}`;
    } else {
      out += ch;
    }
  }
  return out;
}

/** The URL with any password replaced, so it can appear in messages and logs. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
