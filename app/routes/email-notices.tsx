/**
 * /email-notices?next=/account: consent to electronic communications at a borrower's first
 * sign-in (issue 9 item 5; ADR 014). Sign-in lands here when the borrower has an email
 * address and has never answered. A plain page says what notices by email mean (reminders
 * before a payment, notices about their account, at their masked address), that receipts and
 * what they ask for are emailed anyway, and how to withdraw. "Yes, email me" records a
 * granted e_communications consent, "No thanks" a withdrawn one (so we do not ask again),
 * both with the exact words shown; then on to where they were going. Works without JavaScript.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Page } from "~/components/page";
import { TermsLines } from "~/components/terms-lines";
import { i18nServer } from "~/i18n/i18next.server";
import { noStore } from "~/utils/no-store";
import { emailNoticesTerms, getEmailConsentStatus, LocalPath, recordEmailConsent } from "~/utils/preferences.server";
import { requireBorrowerSession } from "~/utils/session.server";

export const headers = noStore;

export const handle = { i18n: ["common", "preferences"] };

function nextPath(value: unknown): string {
  const parsed = LocalPath.safeParse(value);
  return parsed.success ? parsed.data : "/account";
}

async function noticesPage(request: Request) {
  const session = await requireBorrowerSession(request);
  const status = await getEmailConsentStatus(session.borrowerId);
  const terms = await emailNoticesTerms(status.creditorName, status.email, session.language);
  return { session, status, terms };
}

export async function loader({ request }: LoaderFunctionArgs) {
  const next = nextPath(new URL(request.url).searchParams.get("next"));
  const { session, status, terms } = await noticesPage(request);
  // Asked once: an answer on record (or no address to email) goes straight on.
  if (status.answer !== null || status.email === null) throw redirect(next, { status: 303 });
  const t = await i18nServer.getFixedT(session.language, "preferences");
  return { title: t("emailNotices.meta.title"), next, lines: terms.lines, sha256: terms.sha256 };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

const NoticesForm = z.strictObject({
  choice: z.enum(["granted", "withdrawn"]),
  terms: z.string().regex(/^[0-9a-f]{64}$/),
  next: z.string().max(2000).optional(),
});

export async function action({ request, context }: ActionFunctionArgs) {
  const { session, terms } = await noticesPage(request);
  const raw = Object.fromEntries(await request.formData().catch(() => new FormData()));
  const form = NoticesForm.safeParse(raw);
  const t = await i18nServer.getFixedT(session.language, "preferences");
  if (!form.success) return data({ error: t("errors.form") }, { status: 400, headers: { "Cache-Control": "no-store" } });
  // The words changed since the page was shown (the address, the language): show them again.
  if (form.data.terms !== terms.sha256) return data({ error: t("errors.form") }, { status: 409, headers: { "Cache-Control": "no-store" } });
  await recordEmailConsent({
    borrowerId: session.borrowerId,
    action: form.data.choice,
    origin: "first_sign_in",
    terms,
    where: { ip: context.clientIp || null, userAgent: request.headers.get("User-Agent") },
  });
  // A second tab or a double press finds the first answer: on to the same place.
  throw redirect(nextPath(form.data.next), { status: 303 });
}

export default function EmailNotices() {
  const { next, lines, sha256 } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("preferences");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  return (
    <Page title={t("emailNotices.title")} narrow>
      {actionData?.error ? <Alert tone="warning" live="alert" title={actionData.error} /> : null}
      <p className="lead">{t("emailNotices.lead")}</p>
      <section className="panel" aria-label={t("emailNotices.title")}>
        <TermsLines lines={lines} />
      </section>
      <Form method="post" className="stack">
        <input type="hidden" name="terms" value={sha256} />
        <input type="hidden" name="next" value={next} />
        <Button type="submit" name="choice" value="granted" isDisabled={busy}>
          {t("emailNotices.yes")}
        </Button>
        <Button type="submit" name="choice" value="withdrawn" variant="secondary" isDisabled={busy}>
          {t("emailNotices.no")}
        </Button>
      </Form>
      <p className="after-form">{t("emailNotices.either")}</p>
    </Page>
  );
}
