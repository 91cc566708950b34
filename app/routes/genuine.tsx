/**
 * /genuine, "Is this message really from us?" (issue 4 item 7): a page anyone can open, with
 * no sign-in and no personal data. What we never ask for, what our links look like (the
 * public address in APP_URL, never the request's Host header, which can say anything), the
 * lenders' official contact details, and what to do when in doubt.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Page } from "~/components/page";
import { i18nServer } from "~/i18n/i18next.server";
import { listPublicCreditors } from "~/utils/accounts.server";
import { hoursIn, phoneView } from "~/utils/borrower-format.server";
import { pageLanguage } from "~/utils/borrower-request.server";
import { getEnv } from "~/utils/env.server";

export const handle = { i18n: ["common", "account"] };

export async function loader({ request }: LoaderFunctionArgs) {
  const language = await pageLanguage(request);
  const [t, creditors] = await Promise.all([i18nServer.getFixedT(language, "account"), listPublicCreditors()]);
  return {
    title: t("genuine.meta.title"),
    description: t("genuine.meta.description"),
    linkStart: `${new URL(getEnv().APP_URL).origin}/l/`,
    creditors: creditors.map((creditor) => ({
      name: creditor.name,
      legalName: creditor.legalName,
      phone: phoneView(creditor.supportPhone),
      hours: hoursIn(creditor.supportHours, language),
      email: creditor.supportEmail,
    })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [
  { title: data?.title ?? "Repay" },
  { name: "description", content: data?.description ?? "" },
];

export default function Genuine() {
  const { linkStart, creditors } = useLoaderData<typeof loader>();
  const { t } = useTranslation("account");
  return (
    <Page title={t("genuine.title")} lead={t("genuine.lead")} narrow>
      <section aria-labelledby="never-title">
        <h2 id="never-title">{t("genuine.never.title")}</h2>
        <ul>
          <li>{t("genuine.never.card")}</li>
          <li>{t("genuine.never.pin")}</li>
          <li>{t("genuine.never.password")}</li>
          <li>{t("genuine.never.giftCards")}</li>
          <li>{t("genuine.never.crypto")}</li>
        </ul>
        <p>{t("genuine.never.note")}</p>
      </section>

      <section aria-labelledby="links-title">
        <h2 id="links-title">{t("genuine.links.title")}</h2>
        <p>{t("genuine.links.startWith")}</p>
        <p className="site-address" translate="no">
          {linkStart}
        </p>
        <p>{t("genuine.links.check")}</p>
        <p>{t("genuine.links.ask")}</p>
      </section>

      <section aria-labelledby="contacts-title">
        <h2 id="contacts-title">{t("genuine.contacts.title")}</h2>
        {creditors.length === 0 ? (
          <p>{t("genuine.contacts.none")}</p>
        ) : (
          <>
            <p>{t("genuine.contacts.intro")}</p>
            <ul className="contact-cards">
              {creditors.map((creditor) => (
                <li key={creditor.name} className="contact-card">
                  <h3>{creditor.name}</h3>
                  <p className="contact-card__legal">{creditor.legalName}</p>
                  <p>
                    {t("genuine.contacts.phone")}{" "}
                    <a href={creditor.phone.href} className="phone-link">
                      {creditor.phone.display}
                    </a>
                  </p>
                  <p>{t("genuine.contacts.hours", { hours: creditor.hours })}</p>
                  {creditor.email ? (
                    <p>
                      {t("genuine.contacts.email")} <a href={`mailto:${creditor.email}`} className="email-address">
                        {creditor.email}
                      </a>
                    </p>
                  ) : null}
                </li>
              ))}
            </ul>
          </>
        )}
      </section>

      <section className="panel" aria-labelledby="doubt-title">
        <h2 id="doubt-title">{t("genuine.doubt.title")}</h2>
        <p>{t("genuine.doubt.dontUse")}</p>
        <p>{t("genuine.doubt.call")}</p>
        <p>{t("genuine.doubt.time")}</p>
        <p>
          <Link to="/new-link">{t("genuine.doubt.newLink")}</Link>
        </p>
      </section>
    </Page>
  );
}
