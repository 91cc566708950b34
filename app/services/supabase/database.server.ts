/**
 * The one door to Postgres for server code that is not an RPC: migrations, the PostgREST
 * stand-in, tests and CLI commands. Two engines sit behind the same small interface:
 * PGlite (embedded Postgres, on disk under `.data/` for the dev server, in memory for
 * tests) and node-postgres against `DATABASE_URL`. Both return the same JavaScript values
 * for the same SQL (see db-types.server.ts for the choices), run multi-statement scripts
 * with `exec`, and give `transaction(fn)` a handle bound to one connection that rolls back
 * when `fn` throws.
 *
 * The process-wide instance lives on `globalThis`, not in a module variable: the dev server
 * imports this file directly and again through Vite's SSR module graph, and two module
 * copies with two PGlite instances on one data directory would corrupt it.
 *
 * A PGlite database belongs to one process. While the dev server runs it shares its PGlite
 * on loopback (`startDatabaseSocket`, STACK §14) and records the address beside the data
 * directory (`.data/pglite.socket.json`); any other process (db:migrate, link, jobs) with the
 * same PGLITE_DIR finds that file and
 * connects with node-postgres instead of opening the directory. The shared instance is
 * guarded by a gate so that a socket client's transaction and the dev server's own
 * queries never interleave inside one Postgres session.
 */
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";
import pg from "pg";
import { AsyncLocalStorage } from "node:async_hooks";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, relative } from "node:path";
import { getEnv, type Env } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";
import { encodeParam, parserFor, typeParsers } from "./db-types.server";
import { devDatabaseFileFor, fromProjectRoot, projectRoot } from "./paths.server";

export interface QueryResult<T> {
  rows: T[];
  /** Rows returned, or rows changed by INSERT/UPDATE/DELETE. */
  rowCount: number;
}

export interface Queryable {
  /** One statement, with `$1…` parameters (encoded by db-types.server.ts). */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** A script of any number of statements, without parameters. */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  /** The engine: "pglite" also when reached through the dev server's socket. */
  readonly kind: "pglite" | "postgres";
  /** Where the data is, for messages (never contains a password). */
  readonly label: string;
  /**
   * Runs `fn` in one transaction on one connection; commits when it resolves, rolls back
   * when it throws. Inside `fn`, use only `tx`: calling this Database again would wait for
   * the transaction to end (PGlite) or run outside it (Postgres), so it throws instead.
   */
  transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R>;
  close(): Promise<void>;
}

/** The fields both drivers put on an error that Postgres reported. */
export interface PostgresError extends Error {
  code: string;
  severity?: string;
  detail?: string;
  hint?: string;
  position?: string;
}

export function isPostgresError(error: unknown): error is PostgresError {
  if (!(error instanceof Error)) return false;
  const { code, severity } = error as Partial<PostgresError>;
  return typeof code === "string" && /^[0-9A-Z]{5}$/.test(code) && typeof severity === "string";
}

const insideTransaction = new AsyncLocalStorage<Database>();

function assertNotInsideTransaction(db: Database): void {
  if (insideTransaction.getStore() === db) {
    throw new Error("This database was used directly inside its own transaction(); use the tx handle passed to the callback");
  }
}

/** A first-come, first-served lock (a promise chain): one holder at a time. */
class Gate {
  private tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.tail;
    this.tail = previous.then(() => released);
    return previous.then(() => release);
  }

  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readPidFile(file: string): { pid: number } | null {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as { pid?: unknown };
    return typeof parsed.pid === "number" ? { pid: parsed.pid } : null;
  } catch {
    return null;
  }
}

function removeFileIfOwned(file: string, pid: number = process.pid): void {
  if (readPidFile(file)?.pid === pid) rmSync(file, { force: true });
}

// ---------------------------------------------------------------------------------------
// PGlite

export interface PgliteDatabaseOptions {
  /** A directory, or "memory://" (the default) for an in-memory database. */
  dataDir?: string;
  /** Start from this data directory tarball (from `dumpDataDir()`); read lazily. */
  loadDataDir?: Blob | (() => Promise<Blob>);
  label?: string;
}

/** What PGLiteSocketServer calls on the database it serves. */
type SocketFacingDatabase = Pick<PGlite, "waitReady" | "isInTransaction" | "runExclusive" | "execProtocolRawStream" | "exec">;

const SYNC_MESSAGE = new Uint8Array([0x53, 0, 0, 0, 4]);

/**
 * Marks an embedded PGlite database. A brand rather than `instanceof`, because the dev
 * server loads this module twice (directly and through Vite) and each copy has its class.
 */
const PGLITE_DATABASE = Symbol.for("repay.pgliteDatabase");

function isPgliteDatabase(db: Database): db is PgliteDatabase {
  return (db as Partial<Record<typeof PGLITE_DATABASE, boolean>>)[PGLITE_DATABASE] === true;
}

class PgliteDatabase implements Database {
  readonly [PGLITE_DATABASE] = true;
  readonly kind = "pglite" as const;
  readonly label: string;
  /** The data directory, or undefined in memory. */
  readonly dataDir: string | undefined;
  private instance: Promise<PGlite> | undefined;
  private readonly gate = new Gate();
  private stopSocket: (() => Promise<void>) | undefined;
  private closed = false;
  private readonly lockFile: string | undefined;
  private readonly removeLockOnExit = () => this.lockFile && removeFileIfOwned(this.lockFile);

  constructor(private readonly options: PgliteDatabaseOptions) {
    const dataDir = options.dataDir ?? "memory://";
    this.dataDir = dataDir.startsWith("memory://") ? undefined : dataDir;
    this.lockFile = this.dataDir === undefined ? undefined : `${dataDir.replace(/\/+$/, "")}.lock`;
    this.label = options.label ?? (this.lockFile ? `PGlite in ${relative(projectRoot(), dataDir) || dataDir}` : "PGlite in memory");
  }

  private pglite(): Promise<PGlite> {
    if (this.closed) return Promise.reject(new Error("The database is closed"));
    this.instance ??= this.open().catch((error: unknown) => {
      this.instance = undefined;
      throw error;
    });
    return this.instance;
  }

  private async open(): Promise<PGlite> {
    const dataDir = this.options.dataDir ?? "memory://";
    if (this.lockFile) {
      const holder = readPidFile(this.lockFile);
      if (holder && holder.pid !== process.pid && processIsAlive(holder.pid)) {
        throw new Error(
          `The local database in ${dataDir} is open in another process (pid ${holder.pid}). Stop it, or start the dev server first so other commands share its database.`,
        );
      }
      mkdirSync(dirname(this.lockFile), { recursive: true });
      writeFileSync(this.lockFile, JSON.stringify({ pid: process.pid }));
      process.once("exit", this.removeLockOnExit);
    }
    const source = this.options.loadDataDir;
    const loadDataDir = typeof source === "function" ? await source() : source;
    return PGlite.create({ dataDir, loadDataDir, parsers: typeParsers });
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
    assertNotInsideTransaction(this);
    const db = await this.pglite();
    return this.gate.run(() => runPgliteQuery<T>(db, sql, params));
  }

  async exec(sql: string): Promise<void> {
    assertNotInsideTransaction(this);
    const db = await this.pglite();
    await this.gate.run(() => db.exec(sql));
  }

  async transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R> {
    assertNotInsideTransaction(this);
    const db = await this.pglite();
    return this.gate.run(() =>
      db.transaction((tx) =>
        insideTransaction.run(this, () =>
          fn({
            query: <T>(sql: string, params: readonly unknown[] = []) => runPgliteQuery<T>(tx, sql, params),
            exec: async (sql: string) => {
              await tx.exec(sql);
            },
          }),
        ),
      ),
    );
  }

  /** An uncompressed tarball of the data directory (loads faster than a gzipped one). */
  async dump(): Promise<Blob> {
    const db = await this.pglite();
    return this.gate.run(() => db.dumpDataDir("none"));
  }

  /**
   * Serves this database over the Postgres wire protocol. The socket server runs each
   * protocol message as it arrives; the facade below holds our gate from a client's first
   * message until Postgres reports it idle again (ReadyForQuery 'I'), so an extended-query
   * sequence or a BEGIN…COMMIT of one client never interleaves with another client or with
   * this process's own queries in PGlite's single session.
   */
  async serve(options: { host: string; port: number; maxConnections: number }): Promise<{ host: string; port: number; stop(): Promise<void> }> {
    if (this.stopSocket) throw new Error("The database is already served on a socket");
    const db = await this.pglite();
    const gate = this.gate;
    let release: (() => void) | undefined;
    const holdUntilIdle = (tail: Uint8Array) => {
      // Every completed cycle ends with ReadyForQuery: 'Z', length 5, then the status.
      const ready = tail.length === 6 && tail[0] === 0x5a && tail[1] === 0 && tail[2] === 0 && tail[3] === 0 && tail[4] === 5;
      if (ready && tail[5] === 0x49 /* 'I' */) {
        release?.();
        release = undefined;
      }
    };
    const facade: SocketFacingDatabase = {
      waitReady: db.waitReady,
      // The socket server serves only the holder's messages while this is true.
      isInTransaction: () => release !== undefined,
      runExclusive: async <T>(fn: () => Promise<T>): Promise<T> => {
        release ??= await gate.acquire();
        try {
          return await db.runExclusive(fn);
        } catch (error) {
          // Never keep this process's own queries waiting behind a failed exchange.
          release?.();
          release = undefined;
          throw error;
        }
      },
      execProtocolRawStream: async (message, streamOptions) => {
        let tail = new Uint8Array(0);
        await db.execProtocolRawStream(message, {
          ...streamOptions,
          onRawData: (data: Uint8Array) => {
            const joined = new Uint8Array(tail.length + data.length);
            joined.set(tail);
            joined.set(data, tail.length);
            tail = joined.slice(-6);
            streamOptions?.onRawData?.(data);
          },
        });
        holdUntilIdle(tail);
      },
      // Called when the holding client disconnects mid-transaction.
      exec: async () => {
        await db.runExclusive(() => db.execProtocolRaw(SYNC_MESSAGE));
        if (db.isInTransaction()) await db.exec("rollback");
        release?.();
        release = undefined;
        return [];
      },
    };
    const server = new PGLiteSocketServer({
      db: facade as PGlite, // the socket server only uses the members of SocketFacingDatabase
      host: options.host,
      port: options.port,
      maxConnections: options.maxConnections,
    });
    await server.start();
    const stop = async () => {
      if (this.stopSocket !== stop) return;
      this.stopSocket = undefined;
      await server.stop();
      release?.();
      release = undefined;
    };
    this.stopSocket = stop;
    const [host, port] = server.getServerConn().split(/:(?=\d+$)/);
    return { host: host ?? options.host, port: Number(port), stop };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.stopSocket?.();
    const instance = this.instance;
    this.instance = undefined;
    if (instance) {
      const db = await instance.catch(() => undefined);
      await this.gate.run(async () => db?.close());
    }
    if (this.lockFile) {
      removeFileIfOwned(this.lockFile);
      process.removeListener("exit", this.removeLockOnExit);
    }
  }
}

type PgliteQueryable = Pick<PGlite, "query">;

async function runPgliteQuery<T>(db: PgliteQueryable, sql: string, params: readonly unknown[]): Promise<QueryResult<T>> {
  const result = await db.query<T>(sql, params.map(encodeParam));
  return { rows: result.rows, rowCount: result.affectedRows || result.rows.length };
}

export function createPgliteDatabase(options: PgliteDatabaseOptions = {}): Database {
  return new PgliteDatabase(options);
}

/** A tarball of an embedded database, to start copies from (`loadDataDir`): tests do this. */
export async function dumpPgliteDatabase(db: Database): Promise<Blob> {
  if (!isPgliteDatabase(db)) throw new Error(`${db.label} is not an embedded PGlite database`);
  return db.dump();
}

// ---------------------------------------------------------------------------------------
// node-postgres

export interface PostgresDatabaseOptions {
  /** Pool size (default 10). */
  max?: number;
  /** Set when the server is the dev server's PGlite behind its socket. */
  engine?: "pglite" | "postgres";
  label?: string;
}

const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number) => parserFor(oid)) as pg.CustomTypesConfig["getTypeParser"],
};

/** "Postgres at host:port/db", without the user or password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `Postgres at ${parsed.hostname || "localhost"}:${parsed.port || "5432"}${parsed.pathname || "/postgres"}`;
  } catch {
    return "Postgres at DATABASE_URL";
  }
}

class PostgresDatabase implements Database {
  readonly kind: "pglite" | "postgres";
  readonly label: string;
  private readonly pool: pg.Pool;

  constructor(url: string, options: PostgresDatabaseOptions) {
    this.kind = options.engine ?? "postgres";
    this.label = options.label ?? describeDatabaseUrl(url);
    this.pool = new pg.Pool({
      connectionString: url,
      max: options.max ?? 10,
      types: pgTypes,
      idleTimeoutMillis: 10_000,
      // PGlite and Supabase run in UTC; so does every session here, so that casts between
      // timestamptz and date or text give the same answer on every backend.
      onConnect: async (client) => {
        await client.query("set timezone to 'UTC'");
      },
    });
    // An idle connection can fail (server restart); the next query reconnects.
    this.pool.on("error", (error) => logger.warn("database_idle_connection_error", { error }));
  }

  async query<T>(sql: string, params: readonly unknown[] = []): Promise<QueryResult<T>> {
    assertNotInsideTransaction(this);
    return runPgQuery<T>(this.pool, sql, params);
  }

  async exec(sql: string): Promise<void> {
    assertNotInsideTransaction(this);
    await this.pool.query(sql);
  }

  async transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R> {
    assertNotInsideTransaction(this);
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A checked-out connection reports a lost server on itself, not on the pool: without a
    // listener that would crash the process. The pending query fails anyway; the connection
    // is then discarded.
    const onError = (error: Error) => {
      broken = error;
      logger.warn("database_transaction_connection_error", { error });
    };
    client.on("error", onError);
    try {
      await client.query("begin");
      const result = await insideTransaction.run(this, () =>
        fn({
          query: <T>(sql: string, params: readonly unknown[] = []) => runPgQuery<T>(client, sql, params),
          exec: async (sql: string) => {
            await client.query(sql);
          },
        }),
      );
      await client.query("commit");
      return result;
    } catch (error) {
      await client.query("rollback").catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      // A connection that could not roll back is discarded, never reused mid-transaction.
      client.off("error", onError);
      client.release(broken);
    }
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end();
  }
}

async function runPgQuery<T>(client: pg.Pool | pg.PoolClient, sql: string, params: readonly unknown[]): Promise<QueryResult<T>> {
  // An empty parameter list keeps node-postgres on the simple protocol, like PGlite's query.
  const result = await client.query(sql, params.length > 0 ? params.map(encodeParam) : undefined);
  return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
}

export function createPostgresDatabase(url: string, options: PostgresDatabaseOptions = {}): Database {
  return new PostgresDatabase(url, options);
}

// ---------------------------------------------------------------------------------------
// Sharing the dev server's PGlite (STACK §14)

export interface DevDatabaseFile {
  url: string;
  pid: number;
  /** The served data directory; absent when the served database is in memory. */
  dataDir?: string;
}

/** The dev server's socket address, if its file exists and that process is still alive. */
export function readDevDatabaseFile(file: string = devDatabaseFileFor(undefined)): DevDatabaseFile | null {
  if (!existsSync(file)) return null;
  let content: Partial<DevDatabaseFile>;
  try {
    content = JSON.parse(readFileSync(file, "utf8")) as Partial<DevDatabaseFile>;
  } catch {
    return null;
  }
  if (typeof content.url !== "string" || typeof content.pid !== "number" || !processIsAlive(content.pid)) return null;
  return { url: content.url, pid: content.pid, ...(typeof content.dataDir === "string" ? { dataDir: content.dataDir } : {}) };
}

export interface DatabaseSocket {
  url: string;
  file: string;
  stop(): Promise<void>;
}

/**
 * Shares this process's PGlite on loopback for other commands and records the address in
 * `<dataDir>.socket.json` (`.data/pglite.socket.json`; `.data/dev-db.json` for an in-memory
 * PGlite) as `{ url, pid, dataDir }` (removed on stop and at exit), so that a
 * command started with the same PGLITE_DIR connects instead of opening the directory.
 * Returns null when the database is not an embedded PGlite of this process (DATABASE_URL
 * is set, or another dev server owns it).
 */
export async function startDatabaseSocket(
  options: { host?: string; port?: number; maxConnections?: number; file?: string; database?: Database } = {},
): Promise<DatabaseSocket | null> {
  const db = options.database ?? getDatabase();
  if (!isPgliteDatabase(db)) return null;
  const served = await db.serve({ host: options.host ?? "127.0.0.1", port: options.port ?? 0, maxConnections: options.maxConnections ?? 10 });
  const url = `postgres://postgres@${served.host}:${served.port}/postgres?sslmode=disable`;
  const file = options.file ?? devDatabaseFileFor(db.dataDir);
  mkdirSync(dirname(file), { recursive: true });
  const record: DevDatabaseFile = { url, pid: process.pid, ...(db.dataDir ? { dataDir: db.dataDir } : {}) };
  writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
  const removeFile = () => removeFileIfOwned(file);
  process.once("exit", removeFile);
  return {
    url,
    file,
    stop: async () => {
      removeFile();
      process.removeListener("exit", removeFile);
      await served.stop();
    },
  };
}

// ---------------------------------------------------------------------------------------
// The process-wide instance

/**
 * DATABASE_URL when set; else the running dev server's shared PGlite, when it serves this
 * PGLITE_DIR; else PGlite opened directly in PGLITE_DIR (relative to the project root).
 * "memory://" is always a private, in-memory database.
 */
export function createDatabaseFromEnv(env: Env = getEnv(), options: { devDatabaseFile?: string } = {}): Database {
  if (env.DATABASE_URL) return createPostgresDatabase(env.DATABASE_URL);
  if (env.PGLITE_DIR.startsWith("memory://")) return createPgliteDatabase({ dataDir: env.PGLITE_DIR });
  const dataDir = fromProjectRoot(env.PGLITE_DIR);
  const shared = readDevDatabaseFile(options.devDatabaseFile ?? devDatabaseFileFor(dataDir));
  if (shared && shared.pid !== process.pid && (shared.dataDir === undefined || shared.dataDir === dataDir)) {
    return createPostgresDatabase(shared.url, {
      engine: "pglite",
      max: 4,
      label: `the dev server's PGlite (pid ${shared.pid}) at ${describeDatabaseUrl(shared.url).replace(/^Postgres at /, "")}`,
    });
  }
  return createPgliteDatabase({ dataDir });
}

const store = globalThis as unknown as { __repayDatabase?: Database };

/** This process's database, created from the environment on first use. */
export function getDatabase(): Database {
  store.__repayDatabase ??= createDatabaseFromEnv();
  return store.__repayDatabase;
}

/** Replaces this process's database (tests, CLI commands); returns the previous one unclosed. */
export function setDatabase(db: Database | undefined): Database | undefined {
  const previous = store.__repayDatabase;
  store.__repayDatabase = db;
  return previous;
}

/** Closes and forgets this process's database; the next getDatabase() opens a new one. */
export async function closeDatabase(): Promise<void> {
  const db = setDatabase(undefined);
  await db?.close();
}
