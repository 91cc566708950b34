/**
 * /ops/import: upload the lender's placement file (issue 8 item 5; ADR 009). Supervisors and
 * admins only (agents get 403): an import changes balances across a whole portfolio.
 *
 * A plain multipart form (works without JavaScript): lender, as-of date, file. The upload is
 * streamed to a temporary file, the import starts in the background, and the page comes back
 * at /ops/import?id=<import> (after at most a second and a half, so a small file shows its
 * result at once). While it runs the page shows rows done of rows in the file; with
 * JavaScript it refreshes itself every two seconds, without it a "Check progress" link does.
 * The result lists each problem with the physical line of the file, and links to the full
 * error report (CSV).
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from "@remix-run/react";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { ErrorSummary } from "~/components/error-summary";
import { FileField } from "~/components/file-field";
import { Page } from "~/components/page";
import { TextField } from "~/components/text-field";
import { IDENTITY_COLUMNS, parsePlacementDate, PLACEMENT_COLUMNS, REQUIRED_COLUMNS } from "~/domain/placement-row";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { MAX_PLACEMENT_FILE_BYTES, readPlacementUpload, removeUpload } from "~/utils/placement-file.server";
import {
  getPlacementImport,
  listImportProblems,
  listPlacementCreditors,
  listRecentImports,
  PLACEMENT_ROLES,
  startPlacementImport,
  type StartRefusal,
} from "~/utils/placement-import.server";
import { describeProblem, formatBytes, importView } from "~/utils/placement-view.server";
import { noStore } from "~/utils/no-store";
import { requireStaffRole } from "~/utils/staff-session.server";

export const headers = noStore;

export const handle = { i18n: ["common", "ops", "ops-import"] };

/** Problems listed on the page; the CSV report has all of them. */
const PROBLEMS_SHOWN = 100;
/** How long the upload waits for a small import to finish before showing its page. */
const WAIT_MS = 1500;

function dayBefore(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! - 1)).toISOString().slice(0, 10);
}

export async function loader({ request }: LoaderFunctionArgs) {
  await requireStaffRole(request, PLACEMENT_ROLES);
  const language = await getLanguage(request, null);
  const t = await i18nServer.getFixedT(language, "ops-import");
  const id = new URL(request.url).searchParams.get("id");
  const [creditors, recent, selected, problems] = await Promise.all([
    listPlacementCreditors(),
    listRecentImports(10),
    id ? getPlacementImport(id) : Promise.resolve(null),
    id ? listImportProblems(id, 0, PROBLEMS_SHOWN) : Promise.resolve([]),
  ]);
  const zoneOf = (creditorId: string) => creditors.find((c) => c.id === creditorId)?.timeZone ?? "UTC";
  return {
    title: t("meta.title"),
    maxSize: formatBytes(MAX_PLACEMENT_FILE_BYTES, language),
    creditors: creditors.map((c) => ({ id: c.id, name: c.name })),
    defaultAsOf: creditors[0] ? dayBefore(creditors[0].today) : "",
    selected: selected ? importView(selected, t, language, zoneOf(selected.creditorId)) : null,
    problems: problems.map((p) => ({ seq: p.seq, line: p.line, reference: p.reference, column: p.column, message: describeProblem(t, p) })),
    recent: recent.map((i) => importView(i, t, language, zoneOf(i.creditorId))),
    columns: {
      required: REQUIRED_COLUMNS.join(", "),
      identity: IDENTITY_COLUMNS.join(", "),
      optional: PLACEMENT_COLUMNS.filter((c) => !REQUIRED_COLUMNS.includes(c) && !IDENTITY_COLUMNS.includes(c)).join(", "),
    },
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }];

const FieldsSchema = z.object({
  creditor: z.string().max(100).optional().catch(undefined),
  asOf: z.string().max(100).optional().catch(undefined),
});

type FieldName = "creditor" | "asOf" | "file";

const REFUSAL_STATUS: Record<StartRefusal, number> = { import_running: 409, invalid_as_of: 400, creditor_not_found: 400, file_too_large: 413, staff_role: 403 };

export async function action({ request }: ActionFunctionArgs) {
  const staff = await requireStaffRole(request, PLACEMENT_ROLES);
  const language = await getLanguage(request, null);
  const t = await i18nServer.getFixedT(language, "ops-import");
  const upload = await readPlacementUpload(request);
  if (!upload.ok) {
    return data(
      { errors: { file: t(`errors.${upload.reason}`, { max: formatBytes(MAX_PLACEMENT_FILE_BYTES, language) }) } as Partial<Record<FieldName, string>>, values: { creditor: "", asOf: "" } },
      { status: upload.reason === "too_large" ? 413 : 400 },
    );
  }
  const fields = FieldsSchema.parse(upload.fields);
  const values = { creditor: fields.creditor ?? "", asOf: fields.asOf ?? "" };
  const errors: Partial<Record<FieldName, string>> = {};
  const creditors = await listPlacementCreditors();
  const creditor = creditors.find((c) => c.id === fields.creditor);
  if (!creditor) errors.creditor = t("errors.creditor");
  const asOf = fields.asOf ? parsePlacementDate(fields.asOf) : null;
  if (!asOf) errors.asOf = t("errors.asOfRequired");
  else if (!asOf.ok) errors.asOf = asOf.reason === "ambiguous" ? t("errors.asOfAmbiguous") : t("errors.asOfInvalid");
  else if (creditor && asOf.iso >= creditor.today) errors.asOf = t("errors.asOfNotEnded");
  if (!upload.file) errors.file = t("errors.fileRequired");
  else if (upload.file.bytes === 0) errors.file = t("errors.fileEmpty");
  if (Object.keys(errors).length > 0 || !creditor || !asOf?.ok || !upload.file) {
    if (upload.file) await removeUpload(upload.file.path);
    return data({ errors, values }, { status: 400 });
  }

  const started = await startPlacementImport({
    staffId: staff.id,
    creditorId: creditor.id,
    asOf: asOf.iso,
    fileName: upload.file.name,
    path: upload.file.path,
    removeWhenDone: true,
  });
  if (!started.ok) {
    const field: FieldName = started.reason === "invalid_as_of" ? "asOf" : started.reason === "creditor_not_found" ? "creditor" : "file";
    return data({ errors: { [field]: t(`errors.${started.reason}`, { max: formatBytes(MAX_PLACEMENT_FILE_BYTES, language) }) }, values }, { status: REFUSAL_STATUS[started.reason] });
  }
  // A small file is done by now; a big one carries on, and the page shows its progress.
  await Promise.race([started.done.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, WAIT_MS).unref())]);
  throw redirect(`/ops/import?id=${started.importId}`, { status: 303 });
}

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

function ImportResult({ selected, problems }: { selected: NonNullable<LoaderData["selected"]>; problems: LoaderData["problems"] }) {
  const { t } = useTranslation("ops-import");
  const { revalidate, state } = useRevalidator();
  // With JavaScript, a running import's page refreshes itself; without, the link below does.
  useEffect(() => {
    if (!selected.running || state !== "idle") return;
    const timer = setTimeout(revalidate, 2000);
    return () => clearTimeout(timer);
  }, [selected.running, state, revalidate, selected.progress]);

  const tone = selected.status === "completed" ? (selected.failedRows > 0 ? "warning" : "success") : selected.running ? "info" : "error";
  return (
    <section aria-labelledby="result-title">
      <h2 id="result-title">{t("result.title", { file: selected.fileName })}</h2>
      <Alert tone={tone} title={selected.statusText}>
        {selected.failure ? <p>{selected.failure}</p> : null}
        {selected.running ? (
          <>
            <p>{t("result.running")}</p>
            <p>
              <Link to={`/ops/import?id=${selected.id}`}>{t("result.refresh")}</Link>
            </p>
          </>
        ) : null}
        {selected.sameFileAs ? <p>{t("result.sameFile")}</p> : null}
      </Alert>
      <div className="field">
        <label htmlFor="import-progress" className="field__label">
          {t("result.progressLabel")}
        </label>
        <progress id="import-progress" max={100} value={selected.percent} aria-valuetext={selected.progress}>
          {selected.percent}%
        </progress>
        <p>{selected.progress}</p>
      </div>
      <dl className="ops-columns">
        <div>
          <dt>{t("result.creditor")}</dt>
          <dd>{selected.creditorName}</dd>
          <dt>{t("result.asOf")}</dt>
          <dd>{selected.asOf}</dd>
          <dt>{t("result.uploadedBy")}</dt>
          <dd>{t("result.uploadedAt", { name: selected.staffName, at: selected.uploadedAt })}</dd>
          <dt>{t("result.file")}</dt>
          <dd>
            {selected.fileName} ({selected.fileSize}
            {selected.encoding ? `, ${t(`encoding.${selected.encoding}`)}` : ""})
          </dd>
        </div>
      </dl>
      <ul className="ops-stats" aria-label={t("result.countsLabel")}>
        {(["created", "adjusted", "updated", "unchanged", "failed"] as const).map((key) => (
          <li key={key}>
            <span className="ops-stats__value">{selected.counts[key]}</span> {t(`counts.${key}`)}
          </li>
        ))}
      </ul>
      {problems.length > 0 ? (
        <>
          <h3>{t("problemsTitle")}</h3>
          {selected.errorsRecorded > problems.length ? <p>{t("problemsShown", { shown: problems.length, count: selected.errorsRecorded })}</p> : null}
          <p>
            <a href={`/ops/import/${selected.id}/errors.csv`} download>
              {t("downloadReport")}
            </a>
          </p>
          <table className="ops-table">
            <caption className="visually-hidden">{t("problemsCaption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("problemColumns.line")}</th>
                <th scope="col">{t("problemColumns.reference")}</th>
                <th scope="col">{t("problemColumns.column")}</th>
                <th scope="col">{t("problemColumns.problem")}</th>
              </tr>
            </thead>
            <tbody>
              {problems.map((p) => (
                <tr key={p.seq}>
                  <td data-label={t("problemColumns.line")}>{p.line}</td>
                  <td data-label={t("problemColumns.reference")}>{p.reference ?? ""}</td>
                  <td data-label={t("problemColumns.column")}>{p.column ?? ""}</td>
                  <td data-label={t("problemColumns.problem")}>{p.message}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </section>
  );
}

export default function ImportPlacements() {
  const { creditors, defaultAsOf, selected, problems, recent, columns, maxSize } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation("ops-import");
  const errors: Partial<Record<FieldName, string>> = actionData?.errors ?? {};
  const values = actionData?.values;
  const summary = (["creditor", "asOf", "file"] as const).flatMap((field) => (errors[field] ? [{ fieldId: field, message: errors[field] }] : []));
  return (
    <Page title={t("title")} className="ops-page">
      {summary.length > 0 ? <ErrorSummary errors={summary} /> : null}
      {selected ? <ImportResult key={selected.id} selected={selected} problems={problems} /> : null}

      <h2>{t("form.title")}</h2>
      <p>{t("form.lead")}</p>
      <details className="ops-details">
        <summary>{t("columns.title")}</summary>
        <p>{t("columns.required", { columns: columns.required })}</p>
        <p>{t("columns.identity", { columns: columns.identity })}</p>
        <p>{t("columns.optional", { columns: columns.optional })}</p>
        <p>{t("columns.formats")}</p>
        <p>{t("columns.encoding")}</p>
      </details>
      <Form method="post" encType="multipart/form-data" noValidate>
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
        <TextField
          id="asOf"
          name="asOf"
          label={t("form.asOf")}
          description={t("form.asOfHint")}
          defaultValue={values?.asOf || defaultAsOf}
          errors={errors.asOf ? [errors.asOf] : undefined}
          width="10"
          autoComplete="off"
        />
        <FileField id="file" name="file" label={t("form.file")} description={t("form.fileHint", { max: maxSize })} error={errors.file} accept=".csv,text/csv" />
        <Button type="submit" isDisabled={navigation.state === "submitting"}>
          {navigation.state === "submitting" ? t("form.uploading") : t("form.submit")}
        </Button>
      </Form>

      {recent.length > 0 ? (
        <>
          <h2>{t("recent.title")}</h2>
          <table className="ops-table">
            <caption className="visually-hidden">{t("recent.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("recent.columns.uploaded")}</th>
                <th scope="col">{t("recent.columns.creditor")}</th>
                <th scope="col">{t("recent.columns.file")}</th>
                <th scope="col">{t("recent.columns.asOf")}</th>
                <th scope="col">{t("recent.columns.status")}</th>
                <th scope="col">{t("recent.columns.rows")}</th>
              </tr>
            </thead>
            <tbody>
              {recent.map((i) => (
                <tr key={i.id}>
                  <td data-label={t("recent.columns.uploaded")}>
                    <Link to={`/ops/import?id=${i.id}`}>{i.uploadedAt}</Link>
                  </td>
                  <td data-label={t("recent.columns.creditor")}>{i.creditorName}</td>
                  <td data-label={t("recent.columns.file")}>{i.fileName}</td>
                  <td data-label={t("recent.columns.asOf")}>{i.asOf}</td>
                  <td data-label={t("recent.columns.status")}>{i.statusText}</td>
                  <td data-label={t("recent.columns.rows")}>
                    {t("recent.rows", { total: i.counts.total ?? "–", failed: i.counts.failed })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </Page>
  );
}
