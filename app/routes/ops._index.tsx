/**
 * /ops: the queue (issue 8 item 2). What waits for a staff decision, oldest first, each with
 * its due time and how close it is; filters in the address (a plain GET form, so it works
 * without JavaScript and a filtered view can be shared); counts per kind and per DPD bucket.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Button } from "~/components/button";
import { Page } from "~/components/page";
import { formatMoney } from "~/domain/money";
import { intlLocale } from "~/i18n/config";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { BALANCE_BANDS, DPD_BUCKETS, QUEUE_KINDS } from "~/utils/ops-lists";
import { QueueFiltersSchema, staffQueue } from "~/utils/staff-console.server";
import { requireStaff } from "~/utils/staff-session.server";
import { dueIn } from "~/utils/ops-format.server";

export const handle = { i18n: ["common", "ops"] };

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const filters = QueueFiltersSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const language = await getLanguage(request, null);
  const locale = intlLocale(language);
  const t = await i18nServer.getFixedT(language, "ops");
  const queue = await staffQueue(staff, filters);
  const now = Date.now();
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
  return {
    title: t("queue.title"),
    filters,
    counts: queue.counts,
    creditors: queue.creditors,
    items: queue.items.map((item) => ({
      kind: item.kind,
      href: `/ops/requests/${item.kind}/${item.request_id}`,
      accountHref: `/ops/accounts/${item.account_id}`,
      reference: item.reference,
      borrowerName: item.borrower_name,
      creditorName: item.creditor_name,
      language: item.language,
      status: item.status,
      received: dateTime.format(item.received_at),
      due: item.due_at ? dateTime.format(item.due_at) : null,
      dueIn: item.due_at ? dueIn(item.due_at, now, locale) : null,
      overdue: item.due_at ? item.due_at.getTime() < now : false,
      escalated: item.escalated_at !== null,
      balance: formatMoney(item.balance_minor, "USD", locale),
      dpd: item.dpd ?? 0,
      dpdBucket: item.dpd_bucket,
    })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }];

function Select({ name, label, value, options }: { name: string; label: string; value: string | undefined; options: Array<{ value: string; label: string }> }) {
  const { t } = useTranslation("ops");
  return (
    <div className="field ops-filter">
      <label className="field__label" htmlFor={`filter-${name}`}>
        {label}
      </label>
      <select id={`filter-${name}`} name={name} defaultValue={value ?? ""} className="select">
        <option value="">{t("queue.filters.any")}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </div>
  );
}

export default function Queue() {
  const { filters, counts, creditors, items } = useLoaderData<typeof loader>();
  const { t } = useTranslation("ops");
  return (
    <Page title={t("queue.title")} lead={t("queue.lead", { count: counts.total })} className="ops-page">
      <section aria-labelledby="segments">
        <h2 id="segments" className="visually-hidden">
          {t("queue.segments")}
        </h2>
        <ul className="ops-stats">
          {QUEUE_KINDS.map((kind) => (
            <li key={kind}>
              <span className="ops-stats__value">{counts.kind[kind] ?? 0}</span> {t(`queue.kindCount.${kind}`, { count: counts.kind[kind] ?? 0 })}
            </li>
          ))}
          <li>
            <span className="ops-stats__value">{counts.overdue}</span> {t("queue.overdue")}
          </li>
          <li>
            <span className="ops-stats__value">{counts.escalated}</span> {t("queue.escalated")}
          </li>
        </ul>
        <ul className="ops-stats">
          {DPD_BUCKETS.map((bucket) => (
            <li key={bucket}>
              <span className="ops-stats__value">{counts.dpd_bucket[bucket] ?? 0}</span> {t(`dpd.${bucket}`)}
            </li>
          ))}
        </ul>
      </section>

      <Form method="get" action="/ops" className="ops-filters" aria-label={t("queue.filters.label")}>
        <Select name="kind" label={t("queue.filters.kind")} value={filters.kind} options={QUEUE_KINDS.map((k) => ({ value: k, label: t(`kinds.${k}`) }))} />
        <Select name="creditor" label={t("queue.filters.creditor")} value={filters.creditor} options={creditors.map((c) => ({ value: c.id, label: c.name }))} />
        <Select name="dpd" label={t("queue.filters.dpd")} value={filters.dpd} options={DPD_BUCKETS.map((b) => ({ value: b, label: t(`dpd.${b}`) }))} />
        <Select name="band" label={t("queue.filters.band")} value={filters.band} options={BALANCE_BANDS.map((b) => ({ value: b, label: t(`bands.${b}`) }))} />
        <Select
          name="language"
          label={t("queue.filters.language")}
          value={filters.language}
          options={[
            { value: "en", label: "English" },
            { value: "es", label: "Español" },
          ]}
        />
        <Select
          name="escalated"
          label={t("queue.filters.escalated")}
          value={filters.escalated}
          options={[
            { value: "yes", label: t("queue.filters.yes") },
            { value: "no", label: t("queue.filters.no") },
          ]}
        />
        <Button type="submit" variant="secondary">
          {t("queue.filters.apply")}
        </Button>
      </Form>

      {items.length === 0 ? (
        <p role="status">{t("queue.empty")}</p>
      ) : (
        <table className="ops-table">
          <caption className="visually-hidden">{t("queue.caption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("queue.columns.request")}</th>
              <th scope="col">{t("queue.columns.account")}</th>
              <th scope="col">{t("queue.columns.received")}</th>
              <th scope="col">{t("queue.columns.due")}</th>
              <th scope="col">{t("queue.columns.dpd")}</th>
              <th scope="col">{t("queue.columns.balance")}</th>
            </tr>
          </thead>
          <tbody>
            {items.map((item) => (
              <tr key={item.href}>
                <td data-label={t("queue.columns.request")}>
                  <Link to={item.href}>{t(`kinds.${item.kind}`)}</Link>
                  {item.escalated ? <span className="tag tag--warning">{t("queue.toSupervisor")}</span> : null}
                  {item.kind === "dispute" || item.kind === "complaint" ? <span className="tag">{t(`disputeStatus.${item.status}`)}</span> : null}
                </td>
                <td data-label={t("queue.columns.account")}>
                  <Link to={item.accountHref}>{item.reference}</Link>
                  <br />
                  {item.borrowerName} · {item.creditorName} · {item.language.toUpperCase()}
                </td>
                <td data-label={t("queue.columns.received")}>{item.received}</td>
                <td data-label={t("queue.columns.due")}>
                  {item.due ?? "—"}
                  {item.dueIn ? <span className={item.overdue ? "tag tag--error" : "tag"}>{item.dueIn}</span> : null}
                </td>
                <td data-label={t("queue.columns.dpd")}>{t("queue.days", { count: item.dpd })}</td>
                <td data-label={t("queue.columns.balance")}>{item.balance}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Page>
  );
}
