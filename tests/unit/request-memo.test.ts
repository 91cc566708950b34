import { expect, test } from "vitest";
import { forgetForRequest, memoizeForRequest, requestMemoStorage } from "~/utils/request-memo.server";

test("within one request a key is computed once; another request computes it again", async () => {
  let calls = 0;
  const compute = async () => ++calls;
  const first = await requestMemoStorage.run(new Map(), async () => [await memoizeForRequest("k", compute), await memoizeForRequest("k", compute)]);
  expect(first).toEqual([1, 1]);
  const second = await requestMemoStorage.run(new Map(), () => memoizeForRequest("k", compute));
  expect(second).toBe(2);
});

test("outside a request nothing is remembered", async () => {
  let calls = 0;
  await memoizeForRequest("k", async () => ++calls);
  await memoizeForRequest("k", async () => ++calls);
  expect(calls).toBe(2);
});

test("a failure is not remembered, and forgetting a prefix recomputes", async () => {
  await requestMemoStorage.run(new Map(), async () => {
    await expect(memoizeForRequest("session:a", () => Promise.reject(new Error("down")))).rejects.toThrow("down");
    expect(await memoizeForRequest("session:a", async () => "ok")).toBe("ok");
    forgetForRequest("session:");
    expect(await memoizeForRequest("session:a", async () => "again")).toBe("again");
  });
});
