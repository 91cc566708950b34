/**
 * /ops/accounts: find an account by its reference, the borrower's email or part of their
 * name (issue 8 item 4). A GET form: the query stays out of logs of form posts, works
 * without JavaScript, and the results page can be reloaded.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Button } from "~/components/button";
import { ErrorSummary } from "~/components/error-summary";
import { Page } from "~/components/page";
import { TextField } from "~/components/text-field";
import { formatMoney } from "~/domain/money";
import { intlLocale } from "~/i18n/config";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { AccountQuerySchema, searchAccounts } from "~/utils/staff-console.server";
import { requireStaff } from "~/utils/staff-session.server";

export const handle = { i18n: ["common", "ops"] };

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const language = await getLanguage(request, null);
  const t = await i18nServer.getFixedT(language, "ops");
  const raw = new URL(request.url).searchParams.get("q");
  const base = { title: t("accounts.title"), query: raw?.slice(0, 200) ?? "" };
  if (raw === null) return { ...base, error: null, results: null };
  const query = AccountQuerySchema.safeParse(raw);
  if (!query.success) return { ...base, error: t("accounts.errors.query"), results: null };
  const found = await searchAccounts(staff, query.data);
  const locale = intlLocale(language);
  return {
    ...base,
    error: null,
    results: found.map((a) => ({
      id: a.id,
      reference: a.reference,
      borrowerName: a.borrower_name,
      creditorName: a.creditor_name,
      status: a.status,
      balance: formatMoney(a.balance_minor, a.currency, locale),
      dpd: a.dpd ?? 0,
    })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }];

export default function AccountSearch() {
  const { query, error, results } = useLoaderData<typeof loader>();
  const { t } = useTranslation("ops");
  return (
    <Page title={t("accounts.title")} className="ops-page">
      {error ? <ErrorSummary errors={[{ fieldId: "q", message: error }]} /> : null}
      <Form method="get" action="/ops/accounts" className="ops-search" role="search">
        <TextField id="q" name="q" label={t("accounts.query")} description={t("accounts.hint")} defaultValue={query} errors={error ? [error] : undefined} spellCheck="false" />
        <Button type="submit">{t("accounts.search")}</Button>
      </Form>
      {results === null ? null : results.length === 0 ? (
        <p role="status">{t("accounts.none")}</p>
      ) : (
        <>
          <p role="status">{t("accounts.found", { count: results.length })}</p>
          <table className="ops-table">
            <caption className="visually-hidden">{t("accounts.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("accounts.columns.reference")}</th>
                <th scope="col">{t("accounts.columns.borrower")}</th>
                <th scope="col">{t("accounts.columns.creditor")}</th>
                <th scope="col">{t("accounts.columns.balance")}</th>
                <th scope="col">{t("accounts.columns.dpd")}</th>
              </tr>
            </thead>
            <tbody>
              {results.map((a) => (
                <tr key={a.id}>
                  <td data-label={t("accounts.columns.reference")}>
                    <Link to={`/ops/accounts/${a.id}`}>{a.reference}</Link>
                  </td>
                  <td data-label={t("accounts.columns.borrower")}>{a.borrowerName}</td>
                  <td data-label={t("accounts.columns.creditor")}>{a.creditorName}</td>
                  <td data-label={t("accounts.columns.balance")}>{a.balance}</td>
                  <td data-label={t("accounts.columns.dpd")}>{t("queue.days", { count: a.dpd })}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </Page>
  );
}
