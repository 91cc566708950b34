import { expect } from "vitest";

/** Expects the call to throw a 404 Response (another borrower's id, or no id at all). */
export async function notFound(promise: Promise<unknown>): Promise<void> {
  const thrown = await promise.then(
    () => new Error("expected a 404"),
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(Response);
  expect((thrown as Response).status).toBe(404);
}
