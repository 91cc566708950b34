/**
 * /account/:accountId/preferences: an honest "coming soon" page for the
 * overview's options until later issues build them (issue 4 item 5). Each says what will be
 * possible here and how to do it today (the lender's phone and hours). Any other option is a
 * 404, and so is an account that is not this borrower's.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { ButtonLink } from "~/components/button";
import { CreditorContact } from "~/components/creditor-contact";
import { Page } from "~/components/page";
import { i18nServer } from "~/i18n/i18next.server";
import { getAccountOverview } from "~/utils/accounts.server";
import { creditorContact } from "~/utils/borrower-format.server";
import { requireBorrowerSession } from "~/utils/session.server";
import { noStore } from "~/utils/no-store";

export const headers = noStore;

export const handle = { i18n: ["common", "account"] };

const OptionSchema = z.enum(["preferences"]);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const session = await requireBorrowerSession(request);
  const option = OptionSchema.safeParse(params.option);
  if (!option.success) throw new Response("Not found", { status: 404 });
  const overview = await getAccountOverview(session.borrowerId, params.accountId ?? "");
  const t = await i18nServer.getFixedT(session.language, "account");
  return {
    title: t(`comingSoon.${option.data}.title`),
    option: option.data,
    accountId: overview.accountId,
    contact: creditorContact(overview.creditor, session.language),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

export default function ComingSoon() {
  const { option, accountId, contact } = useLoaderData<typeof loader>();
  const { t } = useTranslation("account");
  return (
    <Page title={t(`comingSoon.${option}.title`)} narrow>
      <p className="tag">{t("comingSoon.soon")}</p>
      <p className="lead">{t(`comingSoon.${option}.soon`)}</p>
      <section className="panel" aria-labelledby="today-title">
        <h2 id="today-title">{t("comingSoon.todayTitle")}</h2>
        <p>{t(`comingSoon.${option}.today`, { creditorName: contact.name })}</p>
        <CreditorContact
          callLabel={t("comingSoon.call", { creditorName: contact.name })}
          phone={contact.phone}
          hours={t("comingSoon.hours", { hours: contact.hours })}
        />
      </section>
      <p>{t("comingSoon.nothingChanged")}</p>
      <ButtonLink to={`/account/${accountId}`} variant="secondary">
        {t("comingSoon.back")}
      </ButtonLink>
    </Page>
  );
}
