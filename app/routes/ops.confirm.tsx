/**
 * /ops/confirm: "Sign in as …" after a staff sign-in link. The press spends the link and
 * starts a console session; a used or expired link says so and offers a new one.
 */
import { redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Button, ButtonLink } from "~/components/button";
import { Page } from "~/components/page";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { clearStaffLinkToken, getStaffLinkToken, openStaffSignIn, startStaffSession } from "~/utils/staff-session.server";

export const handle = { i18n: ["common", "ops"] };

export async function loader({ request }: LoaderFunctionArgs) {
  const token = await getStaffLinkToken(request);
  const state = token ? await openStaffSignIn(token) : ({ status: "unknown" } as const);
  const t = await i18nServer.getFixedT(await getLanguage(request, null), "ops");
  if (state.status === "ok") return { title: t("confirm.title"), state };
  return { title: t(`confirm.${state.status}.title`), state };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }];

export async function action({ request }: ActionFunctionArgs) {
  const token = await getStaffLinkToken(request);
  if (!token) throw redirect("/ops/confirm", { status: 303 });
  const started = await startStaffSession(token);
  if (started.status !== "ok") throw redirect("/ops/confirm", { status: 303 });
  const headers = new Headers({ Location: "/ops" });
  headers.append("Set-Cookie", started.cookie);
  headers.append("Set-Cookie", await clearStaffLinkToken());
  return new Response(null, { status: 303, headers });
}

export default function ConfirmStaffSignIn() {
  const { state } = useLoaderData<typeof loader>();
  const { t } = useTranslation("ops");
  if (state.status !== "ok") {
    return (
      <Page title={t(`confirm.${state.status}.title`)} narrow>
        <p>{t(`confirm.${state.status}.body`)}</p>
        <ButtonLink to="/ops/sign-in">{t("confirm.newLink")}</ButtonLink>
      </Page>
    );
  }
  return (
    <Page title={t("confirm.title")} narrow>
      <p className="lead">{t("confirm.who", { name: state.fullName, email: state.email })}</p>
      <Form method="post" action="/ops/confirm">
        <Button type="submit">{t("confirm.submit")}</Button>
      </Form>
      <p>{t("confirm.notYou")}</p>
    </Page>
  );
}
