/**
 * /account/:accountId/balance, "Explain my balance" (issue 4 item 6): every ledger entry since
 * the itemization date, oldest first, each in plain words with what it added or took off and
 * the balance after it. An ordered list, not a table: it reads top to bottom at 320 px and in
 * a screen reader. It doubles as the printable statement: the print styles in app.css hide
 * the site's header, footer and buttons and keep the lender and account details.
 * Both server functions answer 404 for an account that is not this borrower's.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { useEffect, useState } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Button } from "~/components/button";
import { Money } from "~/components/money";
import { Page } from "~/components/page";
import { i18nServer } from "~/i18n/i18next.server";
import { entryDescriptionKey } from "~/utils/account-words";
import { getAccountOverview, getAccountTimeline } from "~/utils/accounts.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { requireBorrowerSession } from "~/utils/session.server";
import { noStore } from "~/utils/no-store";

export const headers = noStore;

export const handle = { i18n: ["common", "account"] };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const session = await requireBorrowerSession(request);
  const accountId = params.accountId ?? "";
  const [overview, timeline] = await Promise.all([
    getAccountOverview(session.borrowerId, accountId),
    getAccountTimeline(session.borrowerId, accountId),
  ]);
  const language = session.language;
  const region = overview.creditor.region;
  const date = (iso: string) => formatCalendarDate(iso, language, region);
  const t = await i18nServer.getFixedT(language, "account");
  return {
    title: t("balance.meta.title"),
    account: {
      id: overview.accountId,
      currency: timeline.currency,
      region,
      creditorName: overview.creditor.name,
      legalName: overview.creditor.legalName,
      referenceLast4: overview.referenceLast4,
      since: date(timeline.itemizationDate),
      today: date(overview.today),
    },
    openingMinor: timeline.opening.totalMinor,
    closingMinor: timeline.closing.totalMinor,
    entries: timeline.entries.map((entry) => ({
      id: entry.entryId,
      on: entry.effectiveOn,
      onText: date(entry.effectiveOn),
      descriptionKey: entryDescriptionKey(entry.kind, entry.reasonCode),
      amountMinor: entry.amountMinor,
      afterMinor: entry.balanceAfter.totalMinor,
    })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

export default function ExplainBalance() {
  const { account, openingMinor, closingMinor, entries } = useLoaderData<typeof loader>();
  const { t } = useTranslation("account");
  const money = (amountMinor: number) => <Money amountMinor={amountMinor} currency={account.currency} region={account.region} />;
  const line = (key: string, amountMinor: number, values?: Record<string, string>) => (
    <Trans t={t} i18nKey={key} values={values} components={{ amount: money(amountMinor) }} />
  );

  return (
    <Page title={t("balance.title")} lead={t("balance.lead", { date: account.since })} className="statement">
      <p className="no-print">
        <Link to={`/account/${account.id}`}>{t("balance.back")}</Link>
      </p>
      <div className="statement__details">
        <p className="statement__for">{t("balance.statementFor", { creditorName: account.creditorName })}</p>
        <p>{t("balance.legalName", { legalName: account.legalName })}</p>
        <p>{t("referenceEnding", { last4: account.referenceLast4 })}</p>
        <p>{t("balance.printedOn", { date: account.today })}</p>
      </div>

      <p className="statement__start">{line("balance.startBalance", openingMinor, { date: account.since })}</p>
      {entries.length === 0 ? (
        <p>{t("balance.none", { date: account.since })}</p>
      ) : (
        <ol className="timeline" aria-label={t("balance.listLabel")}>
          {entries.map((entry) => (
            <li key={entry.id} className="timeline__item">
              <p className="timeline__date">
                <time dateTime={entry.on}>{entry.onText}</time>
              </p>
              <p className="timeline__what">{t(entry.descriptionKey)}</p>
              <p className="timeline__amount">
                {entry.amountMinor > 0
                  ? line("balance.added", entry.amountMinor)
                  : entry.amountMinor < 0
                    ? line("balance.takenOff", -entry.amountMinor)
                    : line("balance.changed", 0)}
              </p>
              <p className="timeline__after">{line("balance.after", entry.afterMinor)}</p>
            </li>
          ))}
        </ol>
      )}
      <p className="statement__total">{line("balance.today", closingMinor)}</p>
      <PrintStatement label={t("balance.print")} noScript={t("balance.printNoJs")} />
    </Page>
  );
}

/**
 * With JavaScript, a button that opens the browser's print dialog; without it (and until the
 * page is ready), words saying how to print from the browser's own menu.
 */
function PrintStatement({ label, noScript }: { label: string; noScript: string }) {
  const [ready, setReady] = useState(false);
  useEffect(() => setReady(true), []);
  return ready ? (
    <Button variant="secondary" onPress={() => window.print()} className="no-print">
      {label}
    </Button>
  ) : (
    <p className="no-print">{noScript}</p>
  );
}
