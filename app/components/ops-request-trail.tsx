/**
 * The end of every console review page for a hardship request or a dispute: what happened to
 * it so far, the borrower's other requests, our latest messages to them (earlier contacts),
 * the account's latest ledger entries, and the way back to the queue. The loaders format every value; this only places them (namespace
 * `ops-requests`).
 */
import { Link } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { OpsEarlierContacts, type OpsEarlierContactsProps } from "~/components/ops-earlier-contacts";

export interface OpsRequestTrailProps {
  history: Array<{ when: string; who: string; action: string; reason: string | null }>;
  others: Array<{ id: string; kind: string; when: string | null; status: string; outcome: string | null }>;
  ledger: Array<{ on: string; kind: string; reason: string | null; amount: string }>;
  /** The borrower's latest messages from us (the outbox), newest first. */
  contacts: OpsEarlierContactsProps["contacts"];
  accountId: string;
}

export function OpsRequestTrail({ history, others, ledger, contacts, accountId }: OpsRequestTrailProps) {
  const { t } = useTranslation("ops-requests");
  return (
    <>
      <section aria-labelledby="history-title">
        <h2 id="history-title">{t("history.title")}</h2>
        <ol className="ops-history">
          {history.map((e, index) => (
            <li key={index}>
              {e.when} · {e.who} · {t(`history.actions.${e.action}`, { defaultValue: e.action })}
              {e.reason ? ` (${e.reason})` : null}
            </li>
          ))}
        </ol>
      </section>

      {others.length > 0 ? (
        <section aria-labelledby="others-title">
          <h2 id="others-title">{t("others.title")}</h2>
          <ul>
            {others.map((o) => (
              <li key={o.id}>
                <Link to={`/ops/requests/${o.kind}/${o.id}`}>{t(`others.${o.kind}`)}</Link> · {o.when ?? "—"} · {o.status}
                {o.outcome ? ` · ${o.outcome}` : null}
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <OpsEarlierContacts contacts={contacts} accountId={accountId} />

      <details className="terms">
        <summary>{t("ledger.title")}</summary>
        <table className="ops-table">
          <caption className="visually-hidden">{t("ledger.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("ledger.on")}</th>
              <th scope="col">{t("ledger.kind")}</th>
              <th scope="col">{t("ledger.amount")}</th>
            </tr>
          </thead>
          <tbody>
            {ledger.map((l, index) => (
              <tr key={index}>
                <td data-label={t("ledger.on")}>{l.on}</td>
                <td data-label={t("ledger.kind")}>
                  {l.kind}
                  {l.reason ? ` (${l.reason})` : null}
                </td>
                <td data-label={t("ledger.amount")}>{l.amount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>

      <p className="after-form">
        <Link to="/ops">{t("backToQueue")}</Link>
      </p>
    </>
  );
}
