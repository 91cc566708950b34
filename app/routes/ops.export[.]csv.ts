/**
 * /ops/export.csv?creditor=&from=&to=: the export to the lender as a streamed CSV (issue 8
 * item 6; ADR 009). Supervisors and admins only; each download is audited with its range.
 * A malformed query or a range that has not ended is a 400 with a translated sentence; the
 * page /ops/export checks the same before sending anyone here.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { lenderExportResponse } from "~/utils/lender-export.server";
import { PLACEMENT_ROLES } from "~/utils/placement-import.server";
import { requireStaffRole } from "~/utils/staff-session.server";

const QuerySchema = z.object({
  creditor: z.uuid(),
  from: z.iso.date(),
  to: z.iso.date(),
});

const STATUS = { invalid_range: 400, creditor_not_found: 404, staff_role: 403 } as const;

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaffRole(request, PLACEMENT_ROLES);
  const language = await getLanguage(request, null);
  const t = await i18nServer.getFixedT(language, "ops-import");
  const text = (message: string, status: number) =>
    new Response(message, { status, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
  const query = QuerySchema.safeParse(Object.fromEntries(new URL(request.url).searchParams));
  if (!query.success) return text(t("export.errors.query"), 400);
  const result = await lenderExportResponse(staff.id, { creditorId: query.data.creditor, from: query.data.from, to: query.data.to }, t("export.failed"));
  if (!result.ok) return text(t(`export.errors.${result.reason}`), STATUS[result.reason]);
  return result.response;
}
