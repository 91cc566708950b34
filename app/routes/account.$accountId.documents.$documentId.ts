/**
 * /account/:accountId/documents/:documentId: a document the borrower sent with a request,
 * downloaded (never shown inline, never sniffed by the browser). Another borrower's document,
 * or an id that is not one, is a 404.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getAccountOverview } from "~/utils/accounts.server";
import { getRequestDocument } from "~/utils/hardship.server";
import { requireBorrowerSession } from "~/utils/session.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const session = await requireBorrowerSession(request);
  await getAccountOverview(session.borrowerId, params.accountId ?? "");
  const document = await getRequestDocument(session.borrowerId, params.documentId ?? "");
  if (!document) throw new Response("Not found", { status: 404 });
  const ascii = document.filename.replace(/[^A-Za-z0-9._-]/g, "_");
  return new Response(new Uint8Array(document.bytes), {
    headers: {
      "Content-Type": document.contentType,
      "Content-Disposition": `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(document.filename)}`,
      "Content-Length": String(document.bytes.length),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
    },
  });
}
