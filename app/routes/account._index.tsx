/**
 * /account: where a borrower lands after signing in (issue 4 item 5). One account: straight to
 * it. Several: a picker of large cards (lender, product, the last four of the reference, what
 * is owed), one tap each.
 */
import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { ButtonLink } from "~/components/button";
import { Money } from "~/components/money";
import { Page } from "~/components/page";
import { i18nServer } from "~/i18n/i18next.server";
import { productKey } from "~/utils/account-words";
import { listBorrowerAccounts } from "~/utils/accounts.server";
import { requireBorrowerSession } from "~/utils/session.server";
import { noStore } from "~/utils/no-store";

export const headers = noStore;

export const handle = { i18n: ["common", "account"] };

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireBorrowerSession(request);
  const accounts = await listBorrowerAccounts(session.borrowerId);
  if (accounts.length === 1) throw redirect(`/account/${accounts[0]!.accountId}`, { headers: { "Cache-Control": "no-store" } });
  const t = await i18nServer.getFixedT(session.language, "account");
  return { title: t("picker.meta.title"), accounts };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

export default function AccountPicker() {
  const { accounts } = useLoaderData<typeof loader>();
  const { t } = useTranslation("account");
  return (
    <Page title={t("picker.title")} lead={accounts.length > 0 ? t("picker.lead", { count: accounts.length }) : t("picker.none")} narrow>
      <ul className="option-list">
        {accounts.map((account) => (
          <li key={account.accountId}>
            <ButtonLink
              to={`/account/${account.accountId}`}
              variant="option"
              description={
                <>
                  <span className="option-link__line">{t(`product.${productKey(account.product)}`)}</span>
                  <span className="option-link__line">{t("referenceEnding", { last4: account.referenceLast4 })}</span>
                  <span className="option-link__line">
                    {account.status === "paid" || account.totalMinor <= 0 ? (
                      t("picker.paid")
                    ) : (
                      <Trans t={t} i18nKey="picker.owes" components={{ amount: <Money amountMinor={account.totalMinor} currency={account.currency} /> }} />
                    )}
                  </span>
                </>
              }
            >
              {account.creditorName}
            </ButtonLink>
          </li>
        ))}
      </ul>
    </Page>
  );
}
