import type { HeadersFunction } from "@remix-run/node";

/**
 * `Cache-Control: no-store` for pages that show a borrower's account or a link's question:
 * no shared or browser cache keeps them, so after signing out, the Back button or another
 * person on a shared phone cannot bring the account back from a cache.
 */
export const noStore: HeadersFunction = () => ({ "Cache-Control": "no-store" });
