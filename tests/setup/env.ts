import { afterAll, beforeAll } from "vitest";
import { resetEnvForTests } from "~/utils/env.server";

/**
 * Sets (or, with undefined, removes) environment variables for the whole test file and
 * restores them afterwards; the parsed environment is re-read on both sides.
 */
export function withEnv(vars: Record<string, string | undefined>): void {
  let saved: Record<string, string | undefined> = {};
  const apply = (values: Record<string, string | undefined>) => {
    for (const [name, value] of Object.entries(values)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    resetEnvForTests();
  };
  beforeAll(() => {
    saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
    apply(vars);
  });
  afterAll(() => apply(saved));
}

/** This file's email goes to the local outbox, whatever the machine's environment says. */
export const withLocalEmail = () => withEnv({ RESEND_API_KEY: undefined, EMAIL_FROM: undefined });
