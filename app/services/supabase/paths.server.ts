/**
 * Where the project's files are, found from the working directory rather than from this
 * module's own path: the same code runs from `app/` under tsx, from Vite's SSR graph and
 * from the bundled `build/server`, and only the working directory means the same thing in
 * all three. We walk up to the first folder with both `package.json` and `supabase/`, so a
 * command started from a subfolder still finds the migrations.
 */
import { existsSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";

let cachedRoot: string | undefined;

export function projectRoot(start: string = process.cwd()): string {
  if (start === process.cwd() && cachedRoot) return cachedRoot;
  let dir = resolve(start);
  let firstPackage: string | undefined;
  for (;;) {
    if (existsSync(join(dir, "package.json"))) {
      firstPackage ??= dir;
      if (existsSync(join(dir, "supabase"))) break;
    }
    const parent = dirname(dir);
    if (parent === dir) {
      dir = firstPackage ?? resolve(start);
      break;
    }
    dir = parent;
  }
  if (start === process.cwd()) cachedRoot = dir;
  return dir;
}

/** An absolute path for a path relative to the project root (absolute paths pass through). */
export function fromProjectRoot(path: string): string {
  return isAbsolute(path) ? path : join(projectRoot(), path);
}

/**
 * Written by the dev server while it shares an in-memory PGlite on loopback (STACK §14). A
 * PGlite in a directory records its address beside that directory instead
 * (devDatabaseFileFor), so the e2e server (.data/e2e/pglite) and the dev server
 * (.data/pglite) can run at once without hiding each other.
 */
export const DEV_DATABASE_FILE = ".data/dev-db.json";

/** Where the address of the server sharing this PGlite data directory is recorded. */
export function devDatabaseFileFor(dataDir: string | undefined): string {
  return dataDir ? `${fromProjectRoot(dataDir).replace(/[\\/]+$/, "")}.socket.json` : fromProjectRoot(DEV_DATABASE_FILE);
}
export const MIGRATIONS_DIR = "supabase/migrations";
export const SEED_FILE = "supabase/seed.sql";
