/**
 * The landing page, for someone who opened the site without a secure link: what Repay is,
 * how to find your link, how to tell a genuine message from a scam, and where to get help.
 * It shows and asks for no personal data.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Page } from "~/components/page";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { getEnv } from "~/utils/env.server";

export const handle = { i18n: ["common", "home"] };

export async function loader({ request }: LoaderFunctionArgs) {
  const t = await i18nServer.getFixedT(await getLanguage(request), "home");
  return {
    title: t("meta.title"),
    description: t("meta.description"),
    // The address our links start with. APP_URL, not the request's Host header: it is the
    // public address the emails and letters use, and a Host header can say anything.
    origin: new URL(getEnv().APP_URL).origin,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title ?? "Repay" },
  { name: "description", content: data?.description ?? "" },
];

export default function Home() {
  const { origin } = useLoaderData<typeof loader>();
  const { t } = useTranslation("home");
  return (
    <Page title={t("title")} lead={t("lead")} narrow className="home">
      <section>
        <h2 id="about">{t("about.title")}</h2>
        <ul>
          <li>{t("about.owe")}</li>
          <li>{t("about.choose")}</li>
          <li>{t("about.help")}</li>
        </ul>
        <p>{t("about.anytime")}</p>
      </section>

      <section>
        <h2 id="your-link">{t("link.title")}</h2>
        <p>{t("link.need")}</p>
        <p>{t("link.where")}</p>
        <p>{t("link.days")}</p>
        <p>{t("link.expired")}</p>
        <p>{t("link.check")}</p>
        <p>{t("link.none")}</p>
      </section>

      <section className="panel">
        <h2 id="genuine">{t("genuine.title")}</h2>
        <p>{t("genuine.neverAsk")}</p>
        <p>{t("genuine.address")}</p>
        <p className="site-address" translate="no">
          {origin}/
        </p>
        <p>{t("genuine.addressCheck")}</p>
        <p>{t("genuine.neverPay")}</p>
        <p>{t("genuine.noPressure")}</p>
        <p>{t("genuine.inDoubt")}</p>
      </section>

      <section>
        <h2 id="help">{t("help.title")}</h2>
        <p>{t("help.questions")}</p>
        <p>{t("help.struggling")}</p>
        <p>{t("help.options")}</p>
        <p>{t("help.paused")}</p>
        <p>{t("help.advice")}</p>
        <p>{t("help.ok")}</p>
      </section>
    </Page>
  );
}
