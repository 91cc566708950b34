/**
 * /unsubscribe/:token (issue 9 item 6; ADR 014): the one-tap "stop reminder emails" link in
 * every outreach email. No sign-in: the token is signed (app/utils/unsubscribe-token.server.ts)
 * and names the message it came in; the message names the borrower.
 *
 * GET shows one button ("Stop reminder emails", a POST). POST stops outreach by email
 * (email_allowed = false, a withdrawn contact_preferences consent with this page's words, an
 * audit event with origin email_link) and comes back here to say so; a second tap says it is
 * already stopped and writes nothing. Mail providers' RFC 8058 one-click POST (body
 * `List-Unsubscribe=One-Click`) to the same address does the same and answers 200.
 *
 * A malformed or forged token is a 400 page, an expired one a 410 page (sign in to change
 * preferences), an unknown message a 404. The page shows no personal data beyond a masked
 * address. It speaks the visitor's language, as every public page does (the switcher works
 * here too); the words stored with the withdrawal are the ones shown, in that language. A
 * one-click POST has no reader: its words are stored in the borrower's language.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Alert } from "~/components/alert";
import { Button, ButtonLink } from "~/components/button";
import { Page } from "~/components/page";
import { TermsLines } from "~/components/terms-lines";
import type { Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { pageLanguage } from "~/utils/borrower-request.server";
import { noStore } from "~/utils/no-store";
import { getUnsubscribeStatus, unsubscribeByMessage, unsubscribeTerms } from "~/utils/preferences.server";
import { readUnsubscribeToken } from "~/utils/unsubscribe-token.server";

export const headers = noStore;

export const handle = { i18n: ["common", "preferences"] };

type Problem = "malformed" | "forged" | "expired" | "unknown";
const PROBLEM_STATUS: Record<Problem, number> = { malformed: 400, forged: 400, expired: 410, unknown: 404 };

type View =
  | { kind: "ask"; lines: string[] }
  | { kind: "done" | "already" }
  | { kind: "problem"; problem: Problem }
  | { kind: "oneClick" };

async function respond(view: View, language: Language, status = 200) {
  const t = await i18nServer.getFixedT(language, "preferences");
  const title = view.kind === "problem" ? t(`unsubscribe.problem.${view.problem}.title`) : view.kind === "ask" || view.kind === "oneClick" ? t("unsubscribe.meta.title") : t(`unsubscribe.${view.kind}.title`);
  return data({ title, view, language }, { status, headers: { "Cache-Control": "no-store", "Referrer-Policy": "no-referrer" } });
}

/** The message and its borrower's settings, or the problem with the link. */
async function resolve(token: string | undefined) {
  const check = readUnsubscribeToken(token ?? "");
  if (!check.ok) return { ok: false as const, problem: check.reason as Problem };
  const status = await getUnsubscribeStatus(check.messageId);
  if (!status) return { ok: false as const, problem: "unknown" as const };
  return { ok: true as const, messageId: check.messageId, status };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const [found, language] = await Promise.all([resolve(params.token), pageLanguage(request)]);
  if (!found.ok) return respond({ kind: "problem", problem: found.problem }, language, PROBLEM_STATUS[found.problem]);
  const { status } = found;
  const done = new URL(request.url).searchParams.get("done");
  if (status.stopped) return respond({ kind: done === "1" ? "done" : "already" }, language);
  const terms = await unsubscribeTerms(status.creditorName, status.email, language);
  return respond({ kind: "ask", lines: terms.lines }, language);
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

export async function action({ request, params, context }: ActionFunctionArgs) {
  const form = await request.formData().catch(() => new FormData());
  const oneClick = form.get("List-Unsubscribe") === "One-Click";
  const [found, visitorLanguage] = await Promise.all([resolve(params.token), pageLanguage(request)]);
  if (!found.ok) return respond({ kind: "problem", problem: found.problem }, visitorLanguage, PROBLEM_STATUS[found.problem]);
  const { status, messageId } = found;
  const language = oneClick ? status.language : visitorLanguage;
  const terms = await unsubscribeTerms(status.creditorName, status.email, language);
  const outcome = await unsubscribeByMessage(messageId, terms, { ip: context.clientIp || null, userAgent: request.headers.get("User-Agent") });
  if (outcome === null) return respond({ kind: "problem", problem: "unknown" }, visitorLanguage, 404);
  // RFC 8058: the mail provider posts without a person watching; a 200 is all it needs.
  if (oneClick) return respond({ kind: "oneClick" }, visitorLanguage);
  const url = new URL(request.url);
  throw redirect(`${url.pathname}${outcome === "stopped" ? "?done=1" : ""}`, { status: 303 });
}

export default function Unsubscribe() {
  const loaded = useLoaderData<typeof loader>();
  const acted = useActionData<typeof action>();
  const view = acted && "view" in acted ? acted.view : loaded.view;
  const { t } = useTranslation("preferences");
  switch (view.kind) {
    case "ask":
      return (
        <Page title={t("unsubscribe.title")} narrow>
          <TermsLines lines={view.lines} />
          <Form method="post">
            <input type="hidden" name="intent" value="stop" />
            <Button type="submit">{t("unsubscribe.button")}</Button>
          </Form>
        </Page>
      );
    case "done":
    case "already":
      return (
        <Page title={t(`unsubscribe.${view.kind}.title`)} narrow>
          <Alert tone="success" title={t(`unsubscribe.${view.kind}.body`)} />
          <p>{t("unsubscribe.change")}</p>
        </Page>
      );
    case "oneClick":
      return (
        <Page title={t("unsubscribe.done.title")} narrow>
          <p>{t("unsubscribe.oneClick")}</p>
        </Page>
      );
    case "problem":
      return (
        <Page title={t(`unsubscribe.problem.${view.problem}.title`)} narrow>
          <p className="lead">{t(`unsubscribe.problem.${view.problem}.body`)}</p>
          {view.problem === "expired" ? (
            <>
              <ButtonLink to="/new-link">{t("unsubscribe.newLink")}</ButtonLink>
            </>
          ) : (
            <p>
              <Link to="/new-link">{t("unsubscribe.newLink")}</Link>
            </p>
          )}
        </Page>
      );
  }
}
