/**
 * /ops/documents/:documentId: a document a borrower sent with a hardship request or a
 * dispute, downloaded by staff (issue 8 item 3). Always an attachment, never shown inline and
 * never sniffed by the browser (it came from outside); every download is audited in the
 * database (document.downloaded: who, which document, which request). Signed out: the
 * console's sign-in page. No such document, or an id that is not one: 404.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getStaffDocument } from "~/utils/request-decisions.server";
import { requireStaff } from "~/utils/staff-session.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const document = await getStaffDocument(staff.id, params.documentId ?? "");
  if (!document) throw new Response("Not found", { status: 404, headers: { "Cache-Control": "no-store" } });
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
