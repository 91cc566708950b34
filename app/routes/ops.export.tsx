/**
 * /ops/export: the CSV the lender's systems take back (issue 8 item 6; ADR 009): payments,
 * arrangements and their changes, hardship and dispute outcomes, and opt-outs, for a lender
 * and a range of days that have ended. Supervisors and admins only (agents get 403).
 *
 * The form checks the range and sends the browser on to /ops/export.csv, which streams the
 * file (a plain form, so it works without JavaScript; `reloadDocument`, so the download is
 * the browser's own). The same range gives the same rows in the same order every time.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Button } from "~/components/button";
import { ErrorSummary } from "~/components/error-summary";
import { Page } from "~/components/page";
import { TextField } from "~/components/text-field";
import { parsePlacementDate } from "~/domain/placement-row";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { EXPORT_COLUMNS } from "~/utils/lender-export.server";
import { listPlacementCreditors, PLACEMENT_ROLES } from "~/utils/placement-import.server";
import { noStore } from "~/utils/no-store";
import { requireStaffRole } from "~/utils/staff-session.server";

export const headers = noStore;

export const handle = { i18n: ["common", "ops", "ops-import"] };

/** At most a year and a day in one file. */
export const MAX_EXPORT_DAYS = 367;

function addDaysIso(iso: string, days: number): string {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10);
}

function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaffRole(request, PLACEMENT_ROLES);
  const language = await getLanguage(request, null);
  const t = await i18nServer.getFixedT(language, "ops-import");
  const creditors = await listPlacementCreditors();
  const today = creditors[0]?.today ?? new Date().toISOString().slice(0, 10);
  return {
    title: t("export.meta.title"),
    creditors: creditors.map((c) => ({ id: c.id, name: c.name })),
    defaults: { from: addDaysIso(today, -7), to: addDaysIso(today, -1) },
    columns: EXPORT_COLUMNS.join(", "),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }];

const FieldsSchema = z.object({
  creditor: z.string().max(100).optional().catch(undefined),
  from: z.string().max(100).optional().catch(undefined),
  to: z.string().max(100).optional().catch(undefined),
});

type FieldName = "creditor" | "from" | "to";

export async function action({ request }: ActionFunctionArgs) {
  await requireStaffRole(request, PLACEMENT_ROLES);
  const language = await getLanguage(request, null);
  const t = await i18nServer.getFixedT(language, "ops-import");
  let raw: Record<string, FormDataEntryValue> = {};
  try {
    raw = Object.fromEntries(await request.formData());
  } catch {
    raw = {};
  }
  const fields = FieldsSchema.parse(raw);
  const values = { creditor: fields.creditor ?? "", from: fields.from ?? "", to: fields.to ?? "" };
  const errors: Partial<Record<FieldName, string>> = {};
  const creditor = (await listPlacementCreditors()).find((c) => c.id === fields.creditor);
  if (!creditor) errors.creditor = t("export.errors.creditor");
  const day = (field: "from" | "to") => {
    const parsed = fields[field] ? parsePlacementDate(fields[field]) : null;
    if (parsed?.ok) return parsed.iso;
    errors[field] = parsed?.ok === false && parsed.reason === "ambiguous" ? t("errors.asOfAmbiguous") : t("export.errors.date");
    return null;
  };
  const from = day("from");
  const to = day("to");
  if (from && to && from > to) errors.to = t("export.errors.order");
  else if (creditor && to && to >= creditor.today) errors.to = t("export.errors.notEnded");
  else if (from && to && daysBetween(from, to) + 1 > MAX_EXPORT_DAYS) errors.to = t("export.errors.tooLong", { max: MAX_EXPORT_DAYS });
  if (Object.keys(errors).length > 0 || !creditor || !from || !to) return data({ errors, values }, { status: 400 });
  const query = new URLSearchParams({ creditor: creditor.id, from, to });
  throw redirect(`/ops/export.csv?${query.toString()}`, { status: 303 });
}

export default function ExportToLender() {
  const { creditors, defaults, columns } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("ops-import");
  const errors: Partial<Record<FieldName, string>> = actionData?.errors ?? {};
  const values = actionData?.values;
  const summary = (["creditor", "from", "to"] as const).flatMap((field) => (errors[field] ? [{ fieldId: field, message: errors[field] }] : []));
  return (
    <Page title={t("export.title")} className="ops-page">
      {summary.length > 0 ? <ErrorSummary errors={summary} /> : null}
      <p>{t("export.lead")}</p>
      <ul>
        {(["payment", "arrangement", "hardship", "dispute", "opt_out"] as const).map((kind) => (
          <li key={kind}>{t(`export.kinds.${kind}`)}</li>
        ))}
      </ul>
      <p>{t("export.sameRows")}</p>
      <Form method="post" reloadDocument noValidate>
        <div className="field" data-invalid={errors.creditor ? true : undefined}>
          <label className="field__label" htmlFor="creditor">
            {t("form.creditor")}
          </label>
          {errors.creditor ? (
            <span className="field-error" id="creditor-error">
              {errors.creditor}
            </span>
          ) : null}
          <select
            id="creditor"
            name="creditor"
            className="select"
            defaultValue={values?.creditor || creditors[0]?.id}
            aria-describedby={errors.creditor ? "creditor-error" : undefined}
            aria-invalid={errors.creditor ? true : undefined}
          >
            {creditors.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </div>
        <TextField id="from" name="from" label={t("export.from")} description={t("export.dateHint")} defaultValue={values?.from || defaults.from} errors={errors.from ? [errors.from] : undefined} width="10" autoComplete="off" />
        <TextField id="to" name="to" label={t("export.to")} description={t("export.toHint")} defaultValue={values?.to || defaults.to} errors={errors.to ? [errors.to] : undefined} width="10" autoComplete="off" />
        <Button type="submit">{t("export.submit")}</Button>
      </Form>
      <details className="ops-details">
        <summary>{t("export.columnsTitle")}</summary>
        <p>{columns}</p>
        <p>{t("export.columnsHelp")}</p>
      </details>
    </Page>
  );
}
