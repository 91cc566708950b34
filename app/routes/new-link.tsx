/**
 * /new-link: "Send me a new link" (issue 4 item 3, DESIGN §5 item 1). One field, the email
 * address or the reference from the letter. Whatever is typed, the answer is the same: the
 * same redirect, the same page, the same words, no cookie; whether an account matched, and
 * whether it has an email on file, is never shown (requestNewLink sends any email in the
 * background, so the time taken does not tell either). The address of the answer page holds
 * nothing personal (`?sent=1`).
 *
 * A honeypot field catches simple bots: when it is filled, nothing is looked up, and the bot
 * gets the same answer as everyone else.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Button, ButtonLink } from "~/components/button";
import { CreditorContact } from "~/components/creditor-contact";
import { ErrorSummary } from "~/components/error-summary";
import { Page } from "~/components/page";
import { TextField } from "~/components/text-field";
import { i18nServer } from "~/i18n/i18next.server";
import { requestNewLink } from "~/utils/access-links.server";
import { listPublicCreditors } from "~/utils/accounts.server";
import { creditorContact } from "~/utils/borrower-format.server";
import { pageLanguage } from "~/utils/borrower-request.server";

export const handle = { i18n: ["common", "access"] };

const SENT_PATH = "/new-link?sent=1";

export async function loader({ request }: LoaderFunctionArgs) {
  const sent = new URL(request.url).searchParams.get("sent") === "1";
  const language = await pageLanguage(request);
  const t = await i18nServer.getFixedT(language, "access");
  const creditors = sent ? (await listPublicCreditors()).map((creditor) => creditorContact(creditor, language)) : [];
  return { title: t(sent ? "newLink.sent.title" : "newLink.meta.title"), sent, creditors };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }];

/** `website` is the honeypot: people never see it, simple bots fill it in. */
function newLinkSchema(t: (key: string) => string) {
  return z.object({
    identifier: z
      .string({ error: t("newLink.errors.required") })
      .trim()
      .min(1, t("newLink.errors.required"))
      .max(254, t("newLink.errors.tooLong")),
    website: z.string().max(1000).optional(),
  });
}

export async function action({ request, context }: ActionFunctionArgs) {
  const t = await i18nServer.getFixedT(await pageLanguage(request), "access");
  let form: Record<string, FormDataEntryValue> = {};
  try {
    form = Object.fromEntries(await request.formData());
  } catch {
    // An unreadable body is an empty form: the same "enter your email or reference" answer.
  }
  const parsed = newLinkSchema(t).safeParse(form);
  if (!parsed.success) {
    const message = parsed.error.issues.find((issue) => issue.path[0] === "identifier")?.message ?? t("newLink.errors.required");
    const typed = typeof form.identifier === "string" ? form.identifier.slice(0, 254) : "";
    return data({ error: message, identifier: typed }, { status: 400 });
  }
  if (!parsed.data.website) {
    await requestNewLink({ identifier: parsed.data.identifier, clientIp: context.clientIp });
  }
  return redirect(SENT_PATH, { status: 303 });
}

export default function NewLink() {
  const { sent, creditors } = useLoaderData<typeof loader>();
  return sent ? <Sent creditors={creditors} /> : <Ask />;
}

function Ask() {
  const { t } = useTranslation("access");
  const actionData = useActionData<typeof action>();
  const error = actionData?.error;
  return (
    <Page title={t("newLink.title")} lead={t("newLink.lead")} narrow>
      {error ? <ErrorSummary errors={[{ fieldId: "identifier", message: error }]} /> : null}
      <Form method="post" action="/new-link" noValidate>
        <TextField
          id="identifier"
          name="identifier"
          label={t("newLink.field.label")}
          description={t("newLink.field.hint")}
          autoComplete="email"
          spellCheck="false"
          isRequired
          errors={error ? [error] : undefined}
          defaultValue={actionData?.identifier}
        />
        <div className="honeypot" aria-hidden="true">
          <label htmlFor="new-link-website">{t("newLink.honeypot")}</label>
          <input id="new-link-website" name="website" type="text" tabIndex={-1} autoComplete="off" />
        </div>
        <Button type="submit">{t("newLink.submit")}</Button>
      </Form>
    </Page>
  );
}

function Sent({ creditors }: { creditors: ReturnType<typeof useLoaderData<typeof loader>>["creditors"] }) {
  const { t } = useTranslation("access");
  return (
    <Page title={t("newLink.sent.title")} narrow>
      <div role="status">
        <p className="lead">{t("newLink.sent.body")}</p>
        <p>{t("newLink.sent.expires")}</p>
      </div>
      <h2>{t("newLink.sent.noEmailTitle")}</h2>
      <ul>
        <li>{t("newLink.sent.wait")}</li>
        <li>{t("newLink.sent.spam")}</li>
        <li>
          {t("newLink.sent.typo")} <Link to="/new-link">{t("newLink.sent.tryAgain")}</Link>
        </li>
      </ul>
      {creditors.length > 0 ? (
        <>
          <p>{t("newLink.sent.contact")}</p>
          {creditors.map((creditor) => (
            <CreditorContact
              key={creditor.name}
              callLabel={<strong>{creditor.name}:</strong>}
              phone={creditor.phone}
              hours={t("lockout.hours", { hours: creditor.hours })}
            />
          ))}
        </>
      ) : (
        <p>{t("newLink.sent.contactGeneric")}</p>
      )}
      <ButtonLink to="/" variant="secondary">
        {t("signedOut.home")}
      </ButtonLink>
    </Page>
  );
}
