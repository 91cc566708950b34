/**
 * Runs before every test file. An integration test file (tests/integration/) gets a fresh
 * copy of the run's migrated and seeded template as this process's database and Supabase
 * client, dropped after the file; a unit test file gets a database that refuses every call,
 * so a unit test that reaches for the database fails with a clear message instead of
 * opening the developer's `.data/pglite`. The first integration files may wait for the
 * template, which is built while unit tests run. Each copy's time (not the wait) is
 * reported to the global teardown, which prints the summary.
 */
import { afterAll, beforeAll } from "vitest";
import { setDatabase } from "~/services/supabase/database.server";
import { settleOutboxNudges } from "~/services/email/outbox-nudge.server";
import { provisionTestDatabase, releaseTestDatabase, templateInfo, unavailableDatabase } from "./db";
import { recordTiming, waitForTemplate } from "./template";

let provisioned = false;

beforeAll(async (suite) => {
  const file = "filepath" in suite && typeof suite.filepath === "string" ? suite.filepath : suite.name;
  if (!/[\\/]tests[\\/]integration[\\/]/.test(file)) {
    setDatabase(unavailableDatabase("Unit tests have no database: move this test to tests/integration/"));
    return;
  }
  const template = templateInfo();
  await waitForTemplate(template);
  const started = performance.now();
  await provisionTestDatabase(template);
  provisioned = true;
  recordTiming(template.timingsFile, { file: file.replace(/^.*[\\/]tests[\\/]/, "tests/"), kind: template.kind, ms: Math.round(performance.now() - started) });
});

afterAll(async () => {
  if (provisioned) {
    provisioned = false;
    // The outbox passes that requests (and the webhook route) nudged finish on this file's
    // database before it is dropped.
    await settleOutboxNudges();
    await releaseTestDatabase();
  } else {
    setDatabase(undefined);
  }
});
