/**
 * The room's SQLite access. Production rooms run statements and nothing
 * else; with `EXPOSE_STATS` set (the benchmark), every statement's
 * `rowsRead` and `rowsWritten` (what Cloudflare bills) are added up as well,
 * so the benchmark can report storage cost per message and per join from the
 * real counters. Reading a cursor's counters crosses into the runtime, so a
 * production room does not pay for it.
 */
export interface StorageCounters {
  rowsRead: number;
  rowsWritten: number;
}

export interface Sql {
  /** Runs a statement that returns no rows. */
  run(query: string, ...bindings: SqlStorageValue[]): void;
  /** Runs a query and returns its rows as arrays, in column order. */
  rows<T extends SqlStorageValue[]>(query: string, ...bindings: SqlStorageValue[]): T[];
  /** The columns a table has (to add new ones to rooms created before them). */
  columns(table: string): string[];
}

/** Statements as they are: what a production room uses. */
export class PlainSql implements Sql {
  readonly #sql: SqlStorage;

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  run(query: string, ...bindings: SqlStorageValue[]): void {
    this.#sql.exec(query, ...bindings);
  }

  rows<T extends SqlStorageValue[]>(query: string, ...bindings: SqlStorageValue[]): T[] {
    return [...this.#sql.exec(query, ...bindings).raw<T>()];
  }

  columns(table: string): string[] {
    return this.#sql.exec(`SELECT * FROM ${table} LIMIT 0`).columnNames;
  }
}

/** Statements with the rows they read and wrote added up in `counters`. */
export class MeteredSql implements Sql {
  readonly #sql: SqlStorage;
  readonly counters: StorageCounters = { rowsRead: 0, rowsWritten: 0 };

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  run(query: string, ...bindings: SqlStorageValue[]): void {
    this.#count(this.#sql.exec(query, ...bindings));
  }

  rows<T extends SqlStorageValue[]>(query: string, ...bindings: SqlStorageValue[]): T[] {
    const cursor = this.#sql.exec(query, ...bindings);
    const rows = [...cursor.raw<T>()];
    this.#count(cursor);
    return rows;
  }

  columns(table: string): string[] {
    return this.#sql.exec(`SELECT * FROM ${table} LIMIT 0`).columnNames;
  }

  #count(cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): void {
    this.counters.rowsRead += cursor.rowsRead;
    this.counters.rowsWritten += cursor.rowsWritten;
  }
}
