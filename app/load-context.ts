/** What the custom server (app/server/index.ts) gives every loader and action. */
export interface RepayLoadContext {
  /** The per-request Content-Security-Policy nonce. */
  cspNonce: string;
  /** The client's address as the server trusts it (TRUST_PROXY decides whether X-Forwarded-For counts). */
  clientIp: string;
  /** True when the client connected from a loopback address (local-only pages need it). */
  isLoopback: boolean;
}

declare module "@remix-run/node" {
  // eslint-disable-next-line @typescript-eslint/no-empty-object-type
  interface AppLoadContext extends RepayLoadContext {}
}
