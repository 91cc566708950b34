/**
 * Applies `supabase/migrations/<version>_<name>.sql` in order, each once and each in its
 * own transaction, and records it where and how the Supabase CLI 2.117 does
 * (`supabase_migrations.schema_migrations`: version, name, statements), so this runner,
 * `supabase migration up` and `supabase db push` always agree on what is applied. The
 * table definition and the statement list are the CLI's own (pkg/migration/history.go and
 * pkg/parser; see sql-statements.server.ts), and each statement runs on its own as the CLI
 * runs it. The seed is recorded in `supabase_migrations.seed_files` like the CLI's, so
 * `supabase db push --include-seed` does not run it twice.
 *
 * Two processes may migrate one real Postgres at once (two app instances starting): every
 * migration transaction first takes a transaction-scoped advisory lock, then re-reads the
 * history, so the second process waits and skips what the first applied.
 */
import { createHash } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { isPostgresError, type Database, type Queryable } from "./database.server";
import { fromProjectRoot, MIGRATIONS_DIR, projectRoot, SEED_FILE } from "./paths.server";
import { splitAndTrimSql } from "./sql-statements.server";

export interface MigrationFile {
  /** The leading number of the file name: the CLI's version (a 14-digit timestamp). */
  version: string;
  /** The rest of the file name without `.sql`. */
  name: string;
  path: string;
  /** The statements as the CLI splits and records them. */
  statements: string[];
}

export interface MigrationOptions {
  /** Folder of migration files (default: supabase/migrations in the project root). */
  dir?: string;
}

export interface SeedOptions {
  /** The seed script (default: supabase/seed.sql in the project root). */
  file?: string;
}

/** The CLI's pattern (pkg/migration/file.go); other files in the folder are ignored, as there. */
const MIGRATION_FILE = /^([0-9]+)_(.*)\.sql$/;

/** Any constant works, as long as every migrator uses the same one. */
const MIGRATION_LOCK_KEY = 5_801_241_667_115_209n;

// The CLI's DDL, verbatim from supabase/cli pkg/migration/history.go (checked against the
// 2.117.0 binary), so an existing table created by either side is left as it is.
const CREATE_HISTORY = [
  "CREATE SCHEMA IF NOT EXISTS supabase_migrations",
  "CREATE TABLE IF NOT EXISTS supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY)",
  "ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS statements text[]",
  "ALTER TABLE supabase_migrations.schema_migrations ADD COLUMN IF NOT EXISTS name text",
];
const CREATE_SEED_TABLE = "CREATE TABLE IF NOT EXISTS supabase_migrations.seed_files (path text NOT NULL PRIMARY KEY, hash text NOT NULL)";
const INSERT_MIGRATION_VERSION = "INSERT INTO supabase_migrations.schema_migrations(version, name, statements) VALUES($1, $2, $3)";
const UPSERT_SEED_FILE = "INSERT INTO supabase_migrations.seed_files(path, hash) VALUES($1, $2) ON CONFLICT (path) DO UPDATE SET hash = EXCLUDED.hash";

/** A migration or seed statement failed; the message names the file and statement. */
export class MigrationError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly statementIndex: number | undefined,
    readonly code: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "MigrationError";
  }
}

export function migrationsDir(options: MigrationOptions = {}): string {
  return options.dir ?? fromProjectRoot(MIGRATIONS_DIR);
}

function displayPath(path: string): string {
  const rel = relative(projectRoot(), path);
  return rel.startsWith("..") ? path : rel;
}

/** The migration files on disk, in the order the CLI applies them (by file name). */
export async function readMigrationFiles(options: MigrationOptions = {}): Promise<MigrationFile[]> {
  const dir = migrationsDir(options);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
  const files: MigrationFile[] = [];
  for (const fileName of names.sort()) {
    const match = MIGRATION_FILE.exec(fileName);
    if (!match) continue;
    const path = join(dir, fileName);
    files.push({ version: match[1]!, name: match[2]!, path, statements: splitAndTrimSql(await readFile(path, "utf8")) });
  }
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.version)) throw new MigrationError(`Two migration files share version ${file.version}`, displayPath(file.path), undefined, undefined);
    seen.add(file.version);
  }
  return files;
}

/** Versions recorded in the history table, oldest first ([] when there is no table yet). */
export async function appliedMigrations(db: Queryable): Promise<string[]> {
  const { rows } = await db.query<{ exists: boolean }>("select to_regclass('supabase_migrations.schema_migrations') is not null as exists");
  if (!rows[0]?.exists) return [];
  const history = await db.query<{ version: string }>("select version from supabase_migrations.schema_migrations order by version");
  return history.rows.map((row) => row.version);
}

/** Migration files not yet recorded as applied, in order. */
export async function pendingMigrations(db: Queryable, options: MigrationOptions = {}): Promise<MigrationFile[]> {
  const [files, applied] = await Promise.all([readMigrationFiles(options), appliedMigrations(db)]);
  const done = new Set(applied);
  return files.filter((file) => !done.has(file.version));
}

function describeFailure(error: unknown): string {
  if (isPostgresError(error)) {
    return [error.message, error.detail, error.hint ? `hint: ${error.hint}` : undefined].filter(Boolean).join("; ") + ` (SQLSTATE ${error.code})`;
  }
  return error instanceof Error ? error.message : String(error);
}

async function runStatements(tx: Queryable, statements: readonly string[], file: string): Promise<void> {
  for (const [index, statement] of statements.entries()) {
    try {
      await tx.query(statement);
    } catch (error) {
      // The statement's first line of SQL (not a comment), to find it in the file.
      const lines = statement.split("\n");
      const sqlLine = (lines.find((line) => line.trim() !== "" && !line.trim().startsWith("--")) ?? lines[0]!).trim();
      const shown = sqlLine.length > 80 ? `${sqlLine.slice(0, 80)} …` : sqlLine;
      throw new MigrationError(
        `${file}, statement ${index + 1} (${shown}${lines.length > 1 && !shown.endsWith("…") ? " …" : ""}): ${describeFailure(error)}`,
        file,
        index,
        isPostgresError(error) ? error.code : undefined,
        { cause: error },
      );
    }
  }
}

/** One migrator (or seeder) at a time, until the transaction ends. */
async function lockMigrations(tx: Queryable): Promise<void> {
  await tx.query("select pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
}

/** The errors of a CREATE … IF NOT EXISTS that lost a race: the object is there after all. */
const ALREADY_CREATED = new Set(["23505", "42P06", "42P07"]);

/**
 * Creates the history tables (and the seed table) in a transaction of their own, before any
 * migration's. Two migrators started together: the second waits for the lock, but a session
 * that waited inside its transaction may not yet see the catalog rows the first just
 * committed (an advisory lock does not refresh the catalog caches), so its
 * `CREATE SCHEMA IF NOT EXISTS` can fail with a duplicate key. A new transaction sees them:
 * try once more. Every later transaction then starts with the tables there, and only takes
 * the lock.
 */
async function ensureHistory(db: Database, withSeedTable: boolean): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await db.transaction(async (tx) => {
        await lockMigrations(tx);
        for (const statement of CREATE_HISTORY) await tx.query(statement);
        if (withSeedTable) await tx.query(CREATE_SEED_TABLE);
      });
      return;
    } catch (error) {
      if (attempt < 3 && isPostgresError(error) && ALREADY_CREATED.has(error.code)) continue;
      throw error;
    }
  }
}

/**
 * Applies every pending migration in file-name order, each in its own transaction with
 * its history row. Returns what this call applied (another process may apply the rest).
 */
export async function migrate(db: Database, options: MigrationOptions & { onApply?: (file: MigrationFile) => void } = {}): Promise<MigrationFile[]> {
  // Read outside the lock to skip the common case (nothing to do) cheaply; each pending
  // file is checked again under the lock, where it counts.
  const pending = await pendingMigrations(db, options);
  const applied: MigrationFile[] = [];
  if (pending.length > 0) await ensureHistory(db, false);
  for (const file of pending) {
    const didApply = await db.transaction(async (tx) => {
      await lockMigrations(tx);
      const { rows } = await tx.query("select 1 from supabase_migrations.schema_migrations where version = $1", [file.version]);
      if (rows.length > 0) return false;
      await runStatements(tx, file.statements, displayPath(file.path));
      await tx.query(INSERT_MIGRATION_VERSION, [file.version, file.name, file.statements]);
      return true;
    });
    if (didApply) {
      applied.push(file);
      options.onApply?.(file);
    }
  }
  return applied;
}

/** Runs the seed script in one transaction and records it in seed_files as the CLI does. */
export async function seedDatabase(
  db: Database,
  options: SeedOptions & { skipIfSeeded?: boolean } = {},
): Promise<{ file: string; statements: number; skipped: boolean }> {
  const path = options.file ?? fromProjectRoot(SEED_FILE);
  const content = await readFile(path);
  const statements = splitAndTrimSql(content.toString("utf8"));
  const file = displayPath(path);
  await ensureHistory(db, true);
  const skipped = await db.transaction(async (tx) => {
    await lockMigrations(tx);
    if (options.skipIfSeeded) {
      const { rows } = await tx.query("select 1 from supabase_migrations.seed_files where path = $1", [file]);
      if (rows.length > 0) return true;
    }
    await runStatements(tx, statements, file);
    await tx.query(UPSERT_SEED_FILE, [file, createHash("sha256").update(content).digest("hex")]);
    return false;
  });
  return { file, statements: statements.length, skipped };
}

/** The schemas a reset drops. Roles are cluster-wide and stay. */
export const RESET_SCHEMAS = ["app", "api", "supabase_migrations"] as const;

/** Drops our schemas (and the migration history), then migrates and seeds from scratch. */
export async function resetDatabase(
  db: Database,
  options: MigrationOptions & SeedOptions & { schemas?: readonly string[]; seed?: boolean } = {},
): Promise<{ applied: MigrationFile[]; seeded: boolean }> {
  const schemas = options.schemas ?? RESET_SCHEMAS;
  await db.exec(`drop schema if exists ${schemas.map((s) => `"${s.replace(/"/g, '""')}"`).join(", ")} cascade`);
  const applied = await migrate(db, options);
  const seeded = options.seed !== false && (await seedFileExists(options));
  if (seeded) await seedDatabase(db, options);
  return { applied, seeded };
}

async function seedFileExists(options: SeedOptions): Promise<boolean> {
  try {
    await readFile(options.file ?? fromProjectRoot(SEED_FILE));
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/**
 * What `npm run db:migrate` and the dev server do: apply pending migrations, and seed only
 * a fresh database (one that had no migration history before this call).
 */
export async function prepareDatabase(
  db: Database,
  options: MigrationOptions & SeedOptions & { onApply?: (file: MigrationFile) => void } = {},
): Promise<{ applied: MigrationFile[]; seeded: boolean }> {
  const fresh = (await appliedMigrations(db)).length === 0;
  const applied = await migrate(db, options);
  // Only the process that applied migrations to a fresh database seeds it, and the seed
  // table makes a second racer skip. A database migrated elsewhere is never seeded here.
  let seeded = false;
  if (fresh && applied.length > 0 && (await seedFileExists(options))) {
    seeded = !(await seedDatabase(db, { ...options, skipIfSeeded: true })).skipped;
  }
  return { applied, seeded };
}
