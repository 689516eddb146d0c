/**
 * The room's SQLite access, metered: every statement's `rowsRead` and
 * `rowsWritten` (what Cloudflare bills) are added up, so the benchmark can
 * report storage cost per message and per join from the real counters.
 */
export interface StorageCounters {
  rowsRead: number;
  rowsWritten: number;
}

export class MeteredSql {
  readonly #sql: SqlStorage;
  readonly counters: StorageCounters = { rowsRead: 0, rowsWritten: 0 };

  constructor(sql: SqlStorage) {
    this.#sql = sql;
  }

  /** Runs a statement that returns no rows. */
  run(query: string, ...bindings: SqlStorageValue[]): void {
    this.#count(this.#sql.exec(query, ...bindings));
  }

  /** Runs a query and returns its rows as arrays, in column order. */
  rows<T extends SqlStorageValue[]>(query: string, ...bindings: SqlStorageValue[]): T[] {
    const cursor = this.#sql.exec(query, ...bindings);
    const rows = [...cursor.raw<T>()];
    this.#count(cursor);
    return rows;
  }

  #count(cursor: SqlStorageCursor<Record<string, SqlStorageValue>>): void {
    this.counters.rowsRead += cursor.rowsRead;
    this.counters.rowsWritten += cursor.rowsWritten;
  }
}
