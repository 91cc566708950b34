/**
 * /ops/sign-in: staff type their work email and get a one-time link (15 minutes). Every
 * address gets the same answer and the same page, so the form never tells whether an
 * address belongs to staff. A signed-in member is sent to the queue.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { ErrorSummary } from "~/components/error-summary";
import { Page } from "~/components/page";
import { TextField } from "~/components/text-field";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { getStaffSession, requestStaffSignIn, StaffEmailSchema } from "~/utils/staff-session.server";

export const handle = { i18n: ["common", "ops"] };

const SearchSchema = z.object({ sent: z.literal("1").optional(), reason: z.enum(["expired", "signed_out", "link"]).optional() }).catch({});

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await getStaffSession(request);
  if (session.status === "ok") throw redirect("/ops");
  const search = SearchSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const t = await i18nServer.getFixedT(await getLanguage(request, null), "ops");
  return { title: t(search.sent ? "signIn.sent.title" : "signIn.title"), sent: search.sent === "1", reason: search.reason ?? null };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }];

export async function action({ request, context }: ActionFunctionArgs) {
  const language = await getLanguage(request, null);
  const t = await i18nServer.getFixedT(language, "ops");
  let form: Record<string, FormDataEntryValue> = {};
  try {
    form = Object.fromEntries(await request.formData());
  } catch {
    // An unreadable body is an empty form.
  }
  const parsed = z.object({ email: StaffEmailSchema }).safeParse(form);
  if (!parsed.success) {
    const typed = typeof form.email === "string" ? form.email.slice(0, 254) : "";
    return data({ error: t(typed.trim() ? "signIn.errors.invalid" : "signIn.errors.required"), email: typed }, { status: 400 });
  }
  await requestStaffSignIn({ email: parsed.data.email, clientIp: context.clientIp, language });
  return redirect("/ops/sign-in?sent=1", { status: 303 });
}

export default function StaffSignIn() {
  const { sent, reason } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("ops");
  if (sent) {
    return (
      <Page title={t("signIn.sent.title")} narrow>
        <div role="status">
          <p className="lead">{t("signIn.sent.body")}</p>
          <p>{t("signIn.sent.expires")}</p>
        </div>
        <p>
          <a href="/ops/sign-in">{t("signIn.sent.again")}</a>
        </p>
      </Page>
    );
  }
  const error = actionData?.error;
  return (
    <Page title={t("signIn.title")} lead={t("signIn.lead")} narrow>
      {reason ? <Alert tone="info">{t(`signIn.reason.${reason}`)}</Alert> : null}
      {error ? <ErrorSummary errors={[{ fieldId: "email", message: error }]} /> : null}
      <Form method="post" action="/ops/sign-in" noValidate>
        <TextField
          id="email"
          name="email"
          type="email"
          label={t("signIn.email")}
          autoComplete="username"
          spellCheck="false"
          isRequired
          errors={error ? [error] : undefined}
          defaultValue={actionData?.email}
        />
        <Button type="submit">{t("signIn.submit")}</Button>
      </Form>
    </Page>
  );
}
