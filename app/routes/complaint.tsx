/**
 * /complaint: make a complaint and see where earlier ones are (issue 9 item 7). Signed in,
 * a borrower chooses what it is about (and, if it is about one account, which), says what
 * went wrong, and gets a reference and the date we answer by, on the page and by email. The
 * answer appears here too. Signed out, the page says how to sign in or whom to call.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button, ButtonLink } from "~/components/button";
import { CreditorContact } from "~/components/creditor-contact";
import { ErrorSummary } from "~/components/error-summary";
import { Page } from "~/components/page";
import { RadioCards } from "~/components/radio-cards";
import { TextArea } from "~/components/text-area";
import { i18nServer } from "~/i18n/i18next.server";
import { listBorrowerAccounts, listPublicCreditors } from "~/utils/accounts.server";
import { pageLanguage } from "~/utils/borrower-request.server";
import { creditorContact, dayIn, formatCalendarDate } from "~/utils/borrower-format.server";
import { answerByText, borrowerComplaints, makeComplaint } from "~/utils/complaints.server";
import { COMPLAINT_CATEGORIES } from "~/utils/feedback-lists";
import { noStore } from "~/utils/no-store";
import { getBorrowerSession, requireBorrowerSession } from "~/utils/session.server";

export const headers = noStore;

export const handle = { i18n: ["common", "feedback"] };

const DETAILS_MAX = 4000;
const NO_ACCOUNT = "none";

export async function loader({ request }: LoaderFunctionArgs) {
  const language = await pageLanguage(request);
  const t = await i18nServer.getFixedT(language, "feedback");
  const session = await getBorrowerSession(request);
  if (session.status !== "ok") {
    const creditors = (await listPublicCreditors()).map((c) => creditorContact(c, language));
    return { title: t("complaint.title"), signedIn: false as const, creditors, accounts: [], complaints: [], made: false };
  }
  const [accounts, complaints] = await Promise.all([listBorrowerAccounts(session.borrowerId), borrowerComplaints(session.borrowerId)]);
  return {
    title: t("complaint.title"),
    signedIn: true as const,
    creditors: [],
    made: new URL(request.url).searchParams.get("made") === "1",
    accounts: accounts.map((a) => ({ id: a.accountId, label: t("complaint.accountLabel", { creditor: a.creditorName, last4: a.referenceLast4 }) })),
    complaints: complaints.map((c) => ({
      id: c.id,
      reference: c.reference,
      category: c.category,
      status: c.status,
      receivedOn: formatCalendarDate(dayIn(c.received_at, c.time_zone), session.language),
      answerBy: answerByText(c.due_at, c.time_zone, session.language),
      outcome: c.outcome,
      response: c.response,
      resolvedOn: c.resolved_at ? formatCalendarDate(dayIn(c.resolved_at, c.time_zone), session.language) : null,
    })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }, { name: "robots", content: "noindex" }];

export async function action({ request }: ActionFunctionArgs) {
  const session = await requireBorrowerSession(request);
  const t = await i18nServer.getFixedT(session.language, "feedback");
  const form = Object.fromEntries(await request.formData().catch(() => new FormData()));
  const category = z.enum(COMPLAINT_CATEGORIES).safeParse(form.category);
  const account = z.union([z.literal(NO_ACCOUNT), z.uuid()]).safeParse(form.account ?? NO_ACCOUNT);
  const details = typeof form.details === "string" ? form.details.trim() : "";
  const errors: Partial<Record<"category" | "account" | "details", string>> = {};
  if (!category.success) errors.category = t("complaint.errors.category");
  if (!account.success) errors.account = t("complaint.errors.account");
  if (details === "") errors.details = t("complaint.errors.details");
  else if (details.length > DETAILS_MAX) errors.details = t("complaint.errors.tooLong", { count: details.length });
  const values = { category: typeof form.category === "string" ? form.category : "", details: typeof form.details === "string" ? form.details.slice(0, 20_000) : "" };
  if (!category.success || !account.success || errors.details) return data({ errors, values }, { status: 400 });

  const made = await makeComplaint({
    borrowerId: session.borrowerId,
    accountId: account.data === NO_ACCOUNT ? null : account.data,
    category: category.data,
    details,
    language: session.language,
  });
  // Someone else's account (or a made-up id): the same as a missing page.
  if (made.status === "account_not_found") throw new Response("Not found", { status: 404 });
  return redirect("/complaint?made=1", { status: 303 });
}

export default function ComplaintPage() {
  const view = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation("feedback");
  if (!view.signedIn) {
    return (
      <Page title={t("complaint.title")} lead={t("complaint.signedOut.lead")} narrow>
        <p>{t("complaint.signedOut.signIn")}</p>
        <ButtonLink to="/new-link" variant="secondary">
          {t("complaint.signedOut.newLink")}
        </ButtonLink>
        <h2>{t("complaint.signedOut.callTitle")}</h2>
        {view.creditors.map((creditor) => (
          <CreditorContact key={creditor.name} callLabel={<strong>{creditor.name}:</strong>} phone={creditor.phone} hours={creditor.hours} />
        ))}
      </Page>
    );
  }
  const errors = actionData?.errors;
  const latest = view.complaints[0];
  return (
    <Page title={t("complaint.title")} lead={t("complaint.lead")} narrow>
      {view.made && latest ? (
        <Alert tone="success" title={t("complaint.made.title")}>
          <p>{t("complaint.made.reference", { reference: latest.reference })}</p>
          <p>{t("complaint.made.answerBy", { date: latest.answerBy })}</p>
          <p>{t("complaint.made.email")}</p>
        </Alert>
      ) : null}
      {view.complaints.length > 0 ? (
        <section aria-labelledby="your-complaints">
          <h2 id="your-complaints">{t("complaint.yours")}</h2>
          <ul className="timeline">
            {view.complaints.map((c) => (
              <li key={c.id} className="timeline__item">
                <p className="timeline__what">
                  {c.reference} · {t(`complaint.categories.${c.category}`)}
                </p>
                <p className="timeline__date">{t("complaint.received", { date: c.receivedOn })}</p>
                {c.status === "resolved" ? (
                  <>
                    <p>
                      <strong>{t(`complaint.outcomes.${c.outcome ?? "not_upheld"}`)}</strong> {t("complaint.answeredOn", { date: c.resolvedOn })}
                    </p>
                    {c.response?.split(/\n+/).map((line, index) => <p key={index}>{line}</p>)}
                  </>
                ) : (
                  <p>{t("complaint.answerBy", { date: c.answerBy })}</p>
                )}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <h2>{t("complaint.new")}</h2>
      {errors ? (
        <ErrorSummary
          errors={[
            ...(errors.category ? [{ fieldId: "category", message: errors.category }] : []),
            ...(errors.account ? [{ fieldId: "account", message: errors.account }] : []),
            ...(errors.details ? [{ fieldId: "details", message: errors.details }] : []),
          ]}
        />
      ) : null}
      <Form method="post" action="/complaint" noValidate>
        <RadioCards
          name="category"
          id="category"
          label={t("complaint.category")}
          defaultValue={actionData?.values.category}
          errors={errors?.category ? [errors.category] : undefined}
          options={COMPLAINT_CATEGORIES.map((value) => ({ value, title: t(`complaint.categories.${value}`) }))}
        />
        {view.accounts.length > 1 ? (
          <RadioCards
            name="account"
            id="account"
            label={t("complaint.account")}
            defaultValue={NO_ACCOUNT}
            errors={errors?.account ? [errors.account] : undefined}
            options={[...view.accounts.map((a) => ({ value: a.id, title: a.label })), { value: NO_ACCOUNT, title: t("complaint.noAccount") }]}
          />
        ) : view.accounts[0] ? (
          <input type="hidden" name="account" value={view.accounts[0].id} />
        ) : null}
        <TextArea
          id="details"
          name="details"
          label={t("complaint.details")}
          description={t("complaint.detailsHint")}
          rows={7}
          defaultValue={actionData?.values.details}
          errors={errors?.details ? [errors.details] : undefined}
        />
        <p>{t("complaint.whatNext")}</p>
        <Button type="submit" isDisabled={navigation.state === "submitting"}>
          {t("complaint.submit")}
        </Button>
      </Form>
      <p>
        <Link to="/account">{t("complaint.back")}</Link>
      </p>
    </Page>
  );
}
