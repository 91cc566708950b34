/**
 * /ops/requests/complaint/:complaintId: read a complaint and answer it in writing (issue 9
 * item 7). The answer (an outcome and the words the borrower will read) is stored once,
 * audited, shown on the borrower's complaint page and emailed to them. When someone else
 * answered first, this says so and changes nothing.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { ErrorSummary } from "~/components/error-summary";
import { Page } from "~/components/page";
import { RadioCards } from "~/components/radio-cards";
import { TextArea } from "~/components/text-area";
import { intlLocale } from "~/i18n/config";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { COMPLAINT_OUTCOMES, resolveComplaint, staffComplaint } from "~/utils/complaints.server";
import { requireStaff } from "~/utils/staff-session.server";

export const handle = { i18n: ["common", "ops", "feedback"] };

const ParamsSchema = z.object({ complaintId: z.uuid() });
const RESPONSE_MAX = 4000;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const parsed = ParamsSchema.safeParse(params);
  if (!parsed.success) throw new Response("Not found", { status: 404 });
  const complaint = await staffComplaint(staff, parsed.data.complaintId);
  if (!complaint) throw new Response("Not found", { status: 404 });
  const language = await getLanguage(request, null);
  const t = await i18nServer.getFixedT(language, "ops");
  const dateTime = new Intl.DateTimeFormat(intlLocale(language), { dateStyle: "medium", timeStyle: "short" });
  return {
    title: t("complaint.title", { reference: complaint.reference }),
    complaint: {
      reference: complaint.reference,
      borrowerName: complaint.borrower_name,
      accountHref: complaint.account_id ? `/ops/accounts/${complaint.account_id}` : null,
      accountReference: complaint.account_reference,
      category: complaint.category,
      details: complaint.details,
      language: complaint.language,
      status: complaint.status,
      received: dateTime.format(complaint.received_at),
      due: dateTime.format(complaint.due_at),
      overdue: complaint.status !== "resolved" && complaint.due_at.getTime() < Date.now(),
      outcome: complaint.outcome,
      response: complaint.response,
      resolvedBy: complaint.resolved_by_name,
      resolved: complaint.resolved_at ? dateTime.format(complaint.resolved_at) : null,
    },
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }];

export async function action({ request, params }: ActionFunctionArgs) {
  const staff = await requireStaff(request);
  const parsed = ParamsSchema.safeParse(params);
  if (!parsed.success) throw new Response("Not found", { status: 404 });
  const t = await i18nServer.getFixedT(await getLanguage(request, null), "ops");
  const form = Object.fromEntries(await request.formData().catch(() => new FormData()));
  const outcome = z.enum(COMPLAINT_OUTCOMES).safeParse(form.outcome);
  const response = typeof form.response === "string" ? form.response.trim() : "";
  const errors: Partial<Record<"outcome" | "response", string>> = {};
  if (!outcome.success) errors.outcome = t("complaint.errors.outcome");
  if (response === "") errors.response = t("complaint.errors.response");
  else if (response.length > RESPONSE_MAX) errors.response = t("complaint.errors.tooLong", { count: response.length });
  if (!outcome.success || errors.response) {
    return data({ status: "invalid" as const, errors, response: typeof form.response === "string" ? form.response.slice(0, 20_000) : "" }, { status: 400 });
  }
  const result = await resolveComplaint(staff, parsed.data.complaintId, outcome.data, response);
  if (result.status === "not_found") throw new Response("Not found", { status: 404 });
  if (result.status === "already_resolved") return data({ status: "already_resolved" as const }, { status: 409 });
  return { status: "resolved" as const };
}

export default function ComplaintReview() {
  const { complaint } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation("ops");
  const { t: tf } = useTranslation("feedback");
  const errors = result?.status === "invalid" ? result.errors : undefined;
  return (
    <Page title={t("complaint.title", { reference: complaint.reference })} lead={`${complaint.borrowerName} · ${complaint.language.toUpperCase()}`} className="ops-page">
      {result?.status === "resolved" ? <Alert tone="success">{t("complaint.resolved")}</Alert> : null}
      {result?.status === "already_resolved" ? <Alert tone="warning">{t("complaint.alreadyResolved")}</Alert> : null}
      {complaint.overdue ? <Alert tone="warning">{t("complaint.overdue")}</Alert> : null}
      <dl className="facts">
        <div>
          <dt>{t("complaint.about")}</dt>
          <dd>{tf(`complaint.categories.${complaint.category}`)}</dd>
        </div>
        <div>
          <dt>{t("complaint.account")}</dt>
          <dd>{complaint.accountHref ? <Link to={complaint.accountHref}>{complaint.accountReference}</Link> : t("complaint.noAccount")}</dd>
        </div>
        <div>
          <dt>{t("complaint.received")}</dt>
          <dd>{complaint.received}</dd>
        </div>
        <div>
          <dt>{t("complaint.due")}</dt>
          <dd>{complaint.due}</dd>
        </div>
      </dl>
      <h2>{t("complaint.theirWords")}</h2>
      <blockquote className="ops-quote">
        {complaint.details.split(/\n+/).map((line, index) => (
          <p key={index}>{line}</p>
        ))}
      </blockquote>
      {complaint.status === "resolved" ? (
        <>
          <h2>{t("complaint.answer")}</h2>
          <p>
            <strong>{tf(`complaint.outcomes.${complaint.outcome ?? "not_upheld"}`)}</strong> {t("complaint.answeredBy", { name: complaint.resolvedBy, date: complaint.resolved })}
          </p>
          {complaint.response?.split(/\n+/).map((line, index) => <p key={index}>{line}</p>)}
        </>
      ) : (
        <>
          <h2>{t("complaint.answerTitle")}</h2>
          {errors ? (
            <ErrorSummary
              errors={[
                ...(errors.outcome ? [{ fieldId: "outcome", message: errors.outcome }] : []),
                ...(errors.response ? [{ fieldId: "response", message: errors.response }] : []),
              ]}
            />
          ) : null}
          <Form method="post" noValidate>
            <RadioCards
              name="outcome"
              id="outcome"
              label={t("complaint.outcome")}
              errors={errors?.outcome ? [errors.outcome] : undefined}
              options={COMPLAINT_OUTCOME_OPTIONS.map((value) => ({ value, title: tf(`complaint.outcomes.${value}`) }))}
            />
            <TextArea
              id="response"
              name="response"
              label={t("complaint.response")}
              description={t("complaint.responseHint")}
              rows={8}
              defaultValue={result?.status === "invalid" ? result.response : undefined}
              errors={errors?.response ? [errors.response] : undefined}
            />
            <Button type="submit">{t("complaint.submit")}</Button>
          </Form>
        </>
      )}
    </Page>
  );
}

const COMPLAINT_OUTCOME_OPTIONS = ["upheld", "partly_upheld", "not_upheld"] as const;
