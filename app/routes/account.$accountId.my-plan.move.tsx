/**
 * /account/:accountId/my-plan/move (issue 5 item 7): move one upcoming payment later, by up to
 * the policy's number of days, at most once in 6 months. Works without JavaScript as GET
 * steps: choose the payment, choose the new date (only dates that keep the schedule in order
 * are listed), read the one-line change, then "Move this payment" (POST). The line shown is the
 * consent; the action renders it again and checks its hash before one database call moves the
 * payment, records the consent and the audit event.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Page } from "~/components/page";
import { RadioCards } from "~/components/radio-cards";
import { formatMoney } from "~/domain/money";
import { parseCalendarDate } from "~/domain/schedule";
import { intlLocale } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { getAccountOverview } from "~/utils/accounts.server";
import { PLAN_CHANGE_VERSION, termsFromLines } from "~/utils/arrangement-terms.server";
import { getAccountArrangement, moveInstallment } from "~/utils/arrangements.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";
import { formatDate } from "~/utils/calendar-format";
import { noStore } from "~/utils/no-store";
import { requireBorrowerSession } from "~/utils/session.server";

export const headers = noStore;

export const handle = { i18n: ["common", "plan"] };

/** How many upcoming payments are offered for moving. */
const UPCOMING = 3;

const StepSchema = z.object({
  installment: z.uuid().optional().catch(undefined),
  date: z.iso.date().optional().catch(undefined),
});

async function movePage(request: Request, accountId: string | undefined, source: URLSearchParams | FormData) {
  const session = await requireBorrowerSession(request);
  const [overview, arrangement] = await Promise.all([
    getAccountOverview(session.borrowerId, accountId ?? ""),
    getAccountArrangement(session.borrowerId, accountId ?? ""),
  ]);
  const base = `/account/${overview.accountId}`;
  if (!arrangement || (arrangement.status !== "active" && arrangement.status !== "pending_review")) {
    throw redirect(`${base}/my-plan`, { status: 303 });
  }
  const language = session.language;
  const region = overview.creditor.region;
  const t = await i18nServer.getFixedT(language, "plan");
  const today = parseCalendarDate(overview.today)!;
  const scheduled = arrangement.installments.filter((i) => i.status === "scheduled" && i.dueOn > overview.today);
  const upcoming = scheduled.slice(0, UPCOMING);
  const step = StepSchema.parse({ installment: source.get("installment") ?? undefined, date: source.get("date") ?? undefined });
  const chosen = upcoming.find((i) => i.id === step.installment) ?? null;

  // Later than now, within the limit from the original date, and before the next payment.
  let dates: string[] = [];
  if (chosen) {
    const index = arrangement.installments.findIndex((i) => i.id === chosen.id);
    const next = arrangement.installments[index + 1];
    const limit = parseCalendarDate(chosen.originalDueOn)!.add({ days: arrangement.movePaymentMaxDays });
    for (let day = parseCalendarDate(chosen.dueOn)!.add({ days: 1 }); day.compare(limit) <= 0; day = day.add({ days: 1 })) {
      if (day.compare(today) <= 0) continue;
      if (next && day.toString() >= next.dueOn) break;
      dates.push(day.toString());
    }
  }
  if (!arrangement.canMove) dates = [];
  const to = chosen && step.date && dates.includes(step.date) ? step.date : null;
  const money = (minor: number) => formatMoney(minor, overview.currency, intlLocale(language, region));
  const terms =
    chosen && to
      ? termsFromLines(PLAN_CHANGE_VERSION, language, [
          t("move.confirmText", {
            amount: money(chosen.amountMinor),
            from: formatCalendarDate(chosen.dueOn, language, region),
            to: formatCalendarDate(to, language, region),
          }),
        ])
      : null;
  return { session, overview, arrangement, base, t, upcoming, chosen, dates, to, terms, step, money, language, region };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const page = await movePage(request, params.accountId, new URL(request.url).searchParams);
  return {
    title: page.t("move.meta.title"),
    accountId: page.overview.accountId,
    region: page.region,
    canMove: page.arrangement.canMove && page.upcoming.length > 0,
    days: page.arrangement.movePaymentMaxDays,
    upcoming: page.upcoming.map((i) => ({ id: i.id, label: `${formatCalendarDate(i.dueOn, page.language, page.region)}: ${page.money(i.amountMinor)}` })),
    chosen: page.chosen?.id ?? null,
    dates: page.dates,
    to: page.to,
    dateError: Boolean(page.step.date) && !page.to,
    confirm: page.terms ? { lines: page.terms.lines, sha256: page.terms.sha256 } : null,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

export async function action({ request, params, context }: ActionFunctionArgs) {
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    form = new FormData();
  }
  const page = await movePage(request, params.accountId, form);
  const reply = (key: string) => data({ problem: page.t(key) }, { status: 400, headers: { "Cache-Control": "no-store" } });
  if (!page.chosen) return reply("move.errors.installment");
  if (!page.to || !page.terms) return reply("move.errors.date");
  if (form.get("terms") !== page.terms.sha256) return reply("review.errors.changed");
  const result = await moveInstallment({
    borrowerId: page.session.borrowerId,
    accountId: page.overview.accountId,
    installmentId: page.chosen.id,
    newDueOn: page.to,
    consent: {
      version: page.terms.version,
      language: page.terms.language,
      body: page.terms.body,
      sha256: page.terms.sha256,
      ip: context.clientIp || null,
      userAgent: (request.headers.get("User-Agent") ?? "").slice(0, 512) || null,
    },
  });
  if (!result.ok) {
    const key = result.reason === "move_not_allowed" || result.reason === "not_active" ? `move.errors.${result.reason}` : "move.errors.invalid_move";
    return data({ problem: page.t(key) }, { status: 409, headers: { "Cache-Control": "no-store" } });
  }
  throw redirect(`${page.base}/my-plan?moved=${page.to}`, { status: 303 });
}

export default function MovePayment() {
  const data = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t, i18n } = useTranslation("plan");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const base = `/account/${data.accountId}`;
  const language = i18n.language === "es" ? "es" : "en";

  return (
    <Page title={t("move.title")} narrow>
      {actionData?.problem ? <Alert tone="warning" title={actionData.problem} /> : null}
      {!data.canMove ? (
        <p>{t("move.notNow")}</p>
      ) : (
        <>
          <p className="lead">{t("move.lead", { days: data.days })}</p>
          <Form method="get" className="stack">
            <RadioCards
              name="installment"
              label={t("move.which")}
              defaultValue={data.chosen ?? undefined}
              options={data.upcoming.map((i) => ({ value: i.id, title: i.label }))}
            />
            {data.chosen && data.dates.length > 0 ? (
              <div className="field" data-invalid={data.dateError ? true : undefined}>
                <label htmlFor="move-date" className="field__label">
                  {t("move.to")}
                </label>
                {data.dateError ? <div className="field-error">{t("move.errors.date")}</div> : null}
                <select id="move-date" name="date" className="select" defaultValue={data.to ?? data.dates[0]}>
                  {data.dates.map((date) => (
                    <option key={date} value={date}>
                      {formatDate(date, language, data.region, "weekday")}
                    </option>
                  ))}
                </select>
              </div>
            ) : null}
            {data.chosen && data.dates.length === 0 ? <p>{t("move.errors.invalid_move")}</p> : null}
            <Button type="submit" variant="secondary">
              {t("move.preview")}
            </Button>
          </Form>
          {data.confirm && data.chosen && data.to ? (
            <Form method="post" className="stack">
              {data.confirm.lines.map((line, index) => (
                <p key={index} className="lead">
                  {line}
                </p>
              ))}
              <input type="hidden" name="installment" value={data.chosen} />
              <input type="hidden" name="date" value={data.to} />
              <input type="hidden" name="terms" value={data.confirm.sha256} />
              <Button type="submit" isDisabled={busy}>
                {t("move.confirm")}
              </Button>
            </Form>
          ) : null}
        </>
      )}
      <p className="after-form">
        <Link to={`${base}/my-plan`}>{t("move.back")}</Link>
      </p>
    </Page>
  );
}
