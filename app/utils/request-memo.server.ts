/**
 * Work shared by the loaders of one HTTP request. Remix runs the root loader and the page's
 * loader for the same request, each with its own copy of the Request, so without this a
 * signed-in page would check (and touch) the session twice. The custom server opens one
 * memo per request (`requestMemoStorage.run`); outside a request (tests calling a loader
 * directly, CLI commands) nothing is memoized.
 *
 * Never crosses requests: a revoked session is seen by the very next request.
 */
import { AsyncLocalStorage } from "node:async_hooks";

type Memo = Map<string, Promise<unknown>>;

// On globalThis: in development the server and Vite's module graph each load this module.
const store = globalThis as unknown as { __repayRequestMemo?: AsyncLocalStorage<Memo> };
export const requestMemoStorage: AsyncLocalStorage<Memo> = (store.__repayRequestMemo ??= new AsyncLocalStorage<Memo>());

export function memoizeForRequest<T>(key: string, compute: () => Promise<T>): Promise<T> {
  const memo = requestMemoStorage.getStore();
  if (!memo) return compute();
  const known = memo.get(key) as Promise<T> | undefined;
  if (known) return known;
  const value = compute();
  memo.set(key, value);
  // A failure is not remembered: the next caller tries again.
  value.catch(() => memo.delete(key));
  return value;
}

/** Drops remembered results whose key starts with the prefix (after a write changes them). */
export function forgetForRequest(prefix: string): void {
  const memo = requestMemoStorage.getStore();
  if (!memo) return;
  for (const key of memo.keys()) if (key.startsWith(prefix)) memo.delete(key);
}
