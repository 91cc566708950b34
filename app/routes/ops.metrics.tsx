/**
 * /ops/metrics: is the portfolio getting better? (issue 8 item 7). Cure rate, promise-kept
 * rate, days to pay, the share of plans made without staff, hardship, dispute and complaint
 * volumes and decision times, how easy borrowers found it, for the last 12 weeks and by days-past-due bucket. Every chart has its
 * numbers in a table beneath it and its definition above it.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { BarChart, type BarDatum } from "~/components/bar-chart";
import { Page } from "~/components/page";
import { intlLocale } from "~/i18n/config";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { staffMetrics } from "~/utils/staff-metrics.server";
import { requireStaff } from "~/utils/staff-session.server";

export const handle = { i18n: ["common", "ops"] };

export async function loader({ request }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const language = await getLanguage(request, null);
  const locale = intlLocale(language);
  const t = await i18nServer.getFixedT(language, "ops");
  const today = new Date().toISOString().slice(0, 10);
  const metrics = await staffMetrics(staff, today);
  const week = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" });
  const number = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
  const label = (iso: string) => week.format(new Date(`${iso}T00:00:00Z`));
  const pct = (value: number | null): BarDatum["value"] => value;
  const series = <T,>(rows: T[], name: (row: T) => string, value: (row: T) => number | null, suffix = "") =>
    rows.map((row) => {
      const v = pct(value(row));
      return { label: name(row), value: v, text: v === null ? "–" : `${number.format(v)}${suffix}` };
    });
  const byWeek = <K extends keyof (typeof metrics.weeks)[number]>(key: K, suffix = "") =>
    series(metrics.weeks, (w) => label(w.weekStart), (w) => w[key] as number | null, suffix);
  const byBucket = <K extends keyof (typeof metrics.buckets)[number]>(key: K, suffix = "") =>
    series(metrics.buckets, (b) => t(`dpdShort.${b.bucket}`), (b) => b[key] as number | null, suffix);
  return {
    title: t("metrics.title"),
    range: t("metrics.range", { from: label(metrics.firstWeek), to: label(metrics.lastWeek) }),
    weekly: {
      cure: byWeek("cureRate", "%"),
      kept: byWeek("promiseKeptRate", "%"),
      days: byWeek("avgDaysToPay"),
      selfServe: byWeek("selfServeShare", "%"),
      hardship: byWeek("hardshipReceived"),
      hardshipHours: byWeek("hardshipHours"),
      disputes: byWeek("disputesReceived"),
      disputeHours: byWeek("disputeHours"),
      complaints: byWeek("complaintsReceived"),
      complaintHours: byWeek("complaintHours"),
      rating: byWeek("feedbackRating"),
    },
    buckets: {
      cure: byBucket("cureRate", "%"),
      kept: byBucket("promiseKeptRate", "%"),
      days: byBucket("avgDaysToPay"),
      selfServe: byBucket("selfServeShare", "%"),
    },
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }];

export default function Metrics() {
  const { range, weekly, buckets } = useLoaderData<typeof loader>();
  const { t } = useTranslation("ops");
  const chart = (key: string, data: BarDatum[], labelHeading: string, max?: number) => (
    <BarChart
      title={t(`metrics.charts.${key}.title`)}
      description={t(`metrics.charts.${key}.description`)}
      data={data}
      max={max}
      labelHeading={labelHeading}
      valueHeading={t(`metrics.charts.${key}.unit`)}
      tableSummary={t("metrics.numbers")}
    />
  );
  return (
    <Page title={t("metrics.title")} lead={range} className="ops-page">
      <h2>{t("metrics.byWeek")}</h2>
      <div className="ops-charts">
        {chart("cure", weekly.cure, t("metrics.week"), 100)}
        {chart("kept", weekly.kept, t("metrics.week"), 100)}
        {chart("days", weekly.days, t("metrics.week"))}
        {chart("selfServe", weekly.selfServe, t("metrics.week"), 100)}
        {chart("hardship", weekly.hardship, t("metrics.week"))}
        {chart("hardshipHours", weekly.hardshipHours, t("metrics.week"))}
        {chart("disputes", weekly.disputes, t("metrics.week"))}
        {chart("disputeHours", weekly.disputeHours, t("metrics.week"))}
        {chart("complaints", weekly.complaints, t("metrics.week"))}
        {chart("complaintHours", weekly.complaintHours, t("metrics.week"))}
        {chart("rating", weekly.rating, t("metrics.week"), 5)}
      </div>
      <h2>{t("metrics.byBucket")}</h2>
      <div className="ops-charts">
        {chart("cure", buckets.cure, t("metrics.bucket"), 100)}
        {chart("kept", buckets.kept, t("metrics.bucket"), 100)}
        {chart("days", buckets.days, t("metrics.bucket"))}
        {chart("selfServe", buckets.selfServe, t("metrics.bucket"), 100)}
      </div>
    </Page>
  );
}
