/**
 * The small SQL surface the registry needs, so one registry implementation runs on SQLite (embedded default)
 * and on a server database. Placeholders are `?`; adapters translate them if their driver differs.
 */
export interface SqlDb {
  readonly dialect: 'sqlite' | 'postgres';
  all<T>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  run(sql: string, params?: readonly unknown[]): Promise<{ changes: number }>;
  /**
   * Runs `fn` in a write transaction that excludes every other writer on the same database, in any process,
   * so read-then-write sequences (next version number) cannot interleave. Rolls back if `fn` throws.
   */
  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
