/**
 * "From where" for the audit trail: the HMAC of the client IP of the request being served
 * (app/utils/client-ip.server.ts), held for the request by the custom server. rpc() sends it
 * as the `x-repay-origin` header; PostgREST (and the local stand-in) expose request headers
 * to SQL as `request.headers`, and a trigger copies it onto every audit event written in that
 * call. Outside a request (jobs, CLI, tests calling routes directly) there is none.
 */
import { AsyncLocalStorage } from "node:async_hooks";

// On globalThis: in development the server and Vite's module graph each load this module.
const store = globalThis as unknown as { __repayRequestOrigin?: AsyncLocalStorage<string> };
export const requestOriginStorage: AsyncLocalStorage<string> = (store.__repayRequestOrigin ??= new AsyncLocalStorage<string>());

/** The HMAC (hex) of this request's client IP, or undefined outside a request. */
export function requestOrigin(): string | undefined {
  return requestOriginStorage.getStore();
}
