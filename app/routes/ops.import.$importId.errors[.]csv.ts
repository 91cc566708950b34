/**
 * /ops/import/:importId/errors.csv: every problem of a placement import, one line each, in
 * the order of the file's lines, in the staff member's language (issue 8 item 5). Streamed
 * page by page. Supervisors and admins only, like the import itself.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { csvHeaders, csvStream } from "~/utils/placement-csv.server";
import { allImportProblems, getPlacementImport, PLACEMENT_ROLES } from "~/utils/placement-import.server";
import { describeProblem } from "~/utils/placement-view.server";
import { requireStaffRole } from "~/utils/staff-session.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  await requireStaffRole(request, PLACEMENT_ROLES);
  const language = await getLanguage(request, null);
  const t = await i18nServer.getFixedT(language, "ops-import");
  const placement = await getPlacementImport(params.importId ?? "");
  async function* lines() {
    for await (const problem of allImportProblems(placement.id)) {
      yield [problem.line, problem.reference, problem.column, problem.code, describeProblem(t, problem)];
    }
  }
  const header = [t("report.line"), t("report.reference"), t("report.column"), t("report.code"), t("report.problem")];
  const body = csvStream(header, lines(), t("report.failed"));
  return new Response(body, { status: 200, headers: csvHeaders(`placement-errors-${placement.id}.csv`) });
}
