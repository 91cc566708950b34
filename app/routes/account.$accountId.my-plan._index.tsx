/**
 * /account/:accountId/my-plan (issue 5 items 6–7): the confirmation after "I agree" and, any
 * time after, the arrangement's status, the next payment, the whole schedule with what is
 * paid, the exact terms agreed, and the two self-service changes (move one payment, cancel).
 * With automatic payments (issue 6 item 4): the saved method, each installment's automatic
 * state (being taken, trying again on a date, or "please pay it yourself"), and a way to pay
 * one that needs the borrower; without them, the offer to set them up.
 * Without an arrangement it says so and offers the simulator.
 */
import { type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { Alert } from "~/components/alert";
import { ButtonLink } from "~/components/button";
import { Money } from "~/components/money";
import { Page } from "~/components/page";
import { ScheduleList } from "~/components/schedule-list";
import { TermsLines } from "~/components/terms-lines";
import { formatMoney } from "~/domain/money";
import { intlLocale } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { getAccountOverview } from "~/utils/accounts.server";
import { getAccountArrangement } from "~/utils/arrangements.server";
import { dayIn, formatCalendarDate, formatInstant } from "~/utils/borrower-format.server";
import { noStore } from "~/utils/no-store";
import { getAccountAutomaticPayments, methodText } from "~/utils/payment-authorizations.server";
import { borrowerReasonText } from "~/utils/plan-decision-email.server";
import { getAccountPlanOffer } from "~/utils/plan-decisions.server";
import { requireBorrowerSession } from "~/utils/session.server";

export const headers = noStore;

export const handle = { i18n: ["common", "plan"] };

/** "a•••@example.com": enough to recognise, not enough to read over a shoulder. */
function maskEmail(email: string): string {
  const at = email.indexOf("@");
  return at > 0 ? `${email[0]}•••${email.slice(at)}` : "•••";
}

/** The stored terms as lines, with the payment lines found again under their heading. */
function termsView(body: string, installments: number, heading: string) {
  const lines = body.split("\n");
  const headingIndex = lines.indexOf(heading);
  return { lines, payments: headingIndex >= 0 ? { headingIndex, count: installments } : null };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const session = await requireBorrowerSession(request);
  const [overview, arrangement, automatic, planOffer] = await Promise.all([
    getAccountOverview(session.borrowerId, params.accountId ?? ""),
    getAccountArrangement(session.borrowerId, params.accountId ?? ""),
    getAccountAutomaticPayments(session.borrowerId, params.accountId ?? ""),
    getAccountPlanOffer(session.borrowerId, params.accountId ?? ""),
  ]);
  const url = new URL(request.url);
  const language = session.language;
  const region = overview.creditor.region;
  const zone = overview.creditor.timeZone;
  const date = (iso: string) => formatCalendarDate(iso, language, region);
  const t = await i18nServer.getFixedT(language, "plan");
  const paymentsHeading = arrangement?.terms
    ? (await i18nServer.getFixedT(arrangement.terms.language === "es" ? "es" : "en", "plan"))("terms.paymentsHeading")
    : "";
  const done =
    url.searchParams.get("agreed") === "1"
      ? "agreed"
      : url.searchParams.get("moved")
        ? "moved"
        : url.searchParams.get("cancelled") === "1"
          ? "cancelled"
          : url.searchParams.get("offer") === "declined"
            ? "offerDeclined"
            : null;
  // Staff's answer to a request (ADR 010): why it was declined, and an open counter-offer.
  const offerT = await i18nServer.getFixedT(language, "offer");
  const decided = planOffer.decision && arrangement?.status === "declined" && planOffer.decision.arrangementId === arrangement.id ? planOffer.decision : null;
  const decision =
    decided && decided.decision === "declined"
      ? { reasonText: borrowerReasonText(offerT, "declined", decided.reasonCode, decided.note, overview.creditor.name), note: decided.note }
      : null;
  const openOffer = planOffer.offer?.status === "open" ? { openUntil: formatInstant(planOffer.offer.expiresAt, language, zone, region) } : null;
  const movedTo = url.searchParams.get("moved");

  const view = arrangement
    ? {
        kind: arrangement.kind,
        status: arrangement.status,
        live: arrangement.status === "active" || arrangement.status === "pending_review",
        totalMinor: arrangement.totalMinor,
        paidMinor: arrangement.installments.reduce((sum, i) => sum + i.paidMinor, 0),
        reviewDueOn: arrangement.reviewDueAt ? date(dayIn(new Date(arrangement.reviewDueAt.getTime() - 1), zone)) : null,
        endedOn: arrangement.endedAt ? date(dayIn(arrangement.endedAt, zone)) : null,
        agreedOn: date(arrangement.agreedOn),
        canMove: arrangement.canMove && arrangement.installments.some((i) => i.status === "scheduled"),
        next: arrangement.installments.find((i) => i.status === "scheduled") ?? null,
        installments: arrangement.installments.map((i) => {
          const auto = i.status === "scheduled" || i.status === "missed" ? automatic.installments.get(i.id) : undefined;
          return {
            dueOn: i.dueOn,
            amountMinor: i.amountMinor,
            status: i.status,
            movedFrom: i.dueOn !== i.originalDueOn ? date(i.originalDueOn) : null,
            automatic: auto ? { state: auto.state, nextAttempt: auto.nextAttemptOn ? date(auto.nextAttemptOn) : null } : null,
          };
        }),
        terms: arrangement.terms ? termsView(arrangement.terms.body, arrangement.installments.length, paymentsHeading) : null,
      }
    : null;

  return {
    title: t("myPlan.meta.title"),
    accountId: overview.accountId,
    creditorName: overview.creditor.name,
    currency: overview.currency,
    region,
    done,
    movedTo: movedTo && /^\d{4}-\d{2}-\d{2}$/.test(movedTo) ? date(movedTo) : null,
    emailed: url.searchParams.get("emailed") === "1",
    decision,
    openOffer,
    email: arrangement?.borrowerEmail ? maskEmail(arrangement.borrowerEmail) : null,
    arrangement: view,
    nextDate: view?.next ? date(view.next.dueOn) : null,
    autopay: view?.live && arrangement?.status === "active"
      ? {
          method: automatic.authorization ? await methodText(automatic.authorization.method, language) : null,
          canOffer: !automatic.authorization && overview.status === "open" && arrangement.installments.some((i) => i.status === "scheduled" && i.paidMinor < i.amountMinor),
        }
      : null,
    // The first unpaid installment whose automatic attempts ended: it needs the borrower.
    needsYou: (() => {
      const i = arrangement?.status === "active" ? arrangement.installments.find((x) => {
        const state = automatic.installments.get(x.id)?.state;
        return (x.status === "scheduled" || x.status === "missed") && (state === "needs_you" || state === "confirm");
      }) : undefined;
      return i ? { state: automatic.installments.get(i.id)!.state, amountMinor: i.amountMinor - i.paidMinor, date: date(i.dueOn) } : null;
    })(),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

export default function MyPlan() {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation("plan");
  const base = `/account/${data.accountId}`;
  const m = (minor: number) => <Money amountMinor={minor} currency={data.currency} region={data.region} />;
  const a = data.arrangement;

  if (!a) {
    return (
      <Page title={t("myPlan.title")} narrow>
        <p>{t("myPlan.none")}</p>
        <ButtonLink to={`${base}/plan`}>{t("myPlan.setUp")}</ButtonLink>
        <p>
          <Link to={base}>{t("myPlan.back")}</Link>
        </p>
      </Page>
    );
  }

  return (
    <Page title={t("myPlan.title")} narrow className="my-plan">
      {data.done === "agreed" && (a.status === "active" || a.status === "pending_review") ? (
        <Alert tone="success" title={a.status === "active" ? t(`myPlan.agreed.active.${a.kind}`) : t("myPlan.agreed.pending_review")}>
          <p>{data.emailed && data.email ? t("myPlan.emailed", { email: data.email }) : t("myPlan.notEmailed")}</p>
        </Alert>
      ) : null}
      {data.done === "moved" && data.movedTo ? <Alert tone="success" title={t("myPlan.changed.moved", { date: data.movedTo })} /> : null}
      {data.done === "cancelled" ? <Alert tone="info" title={t("myPlan.changed.cancelled")} /> : null}
      {data.done === "offerDeclined" ? <Alert tone="info" title={t("myPlan.offer.declined")} /> : null}
      {data.openOffer ? (
        <Alert tone="info" title={t("myPlan.offer.open", { creditorName: data.creditorName })} live="none">
          <p>{t("myPlan.offer.openUntil", { date: data.openOffer.openUntil })}</p>
          <ButtonLink to={`${base}/my-plan/offer`}>{t("myPlan.offer.see")}</ButtonLink>
        </Alert>
      ) : null}
      {data.needsYou ? (
        <Alert
          tone="warning"
          title={t(data.needsYou.state === "confirm" ? "myPlan.autopay.confirm" : "myPlan.autopay.needsYou", {
            amount: formatMoney(data.needsYou.amountMinor, data.currency, intlLocale(i18n.language === "es" ? "es" : "en", data.region)),
            date: data.needsYou.date,
          })}
        >
          <p>{t("myPlan.autopay.needsYouNext")}</p>
          <ButtonLink to={`${base}/pay`}>{t("myPlan.autopay.payIt")}</ButtonLink>
          <p>
            <Link to={`${base}/help`}>{t("myPlan.autopay.help")}</Link>
          </p>
        </Alert>
      ) : null}

      <dl className="facts">
        <div>
          <dt>{t(`myPlan.kind.${a.kind}`)}</dt>
          <dd>
            {t(`myPlan.status.${a.status}`, { creditorName: data.creditorName, date: a.status === "cancelled" ? a.endedOn : a.reviewDueOn })}
          </dd>
        </div>
      </dl>
      {data.decision && (data.decision.reasonText || data.decision.note) ? (
        <section aria-labelledby="decision-title">
          <h2 id="decision-title">{t("myPlan.decision.heading")}</h2>
          {data.decision.reasonText ? <p>{data.decision.reasonText}</p> : null}
          {data.decision.note ? (
            <>
              <h3>{t("myPlan.decision.note", { creditorName: data.creditorName })}</h3>
              <blockquote>
                {data.decision.note.split(/\n+/).map((line, index) => (
                  <p key={index}>{line}</p>
                ))}
              </blockquote>
            </>
          ) : null}
        </section>
      ) : null}
      {a.live && a.next && data.nextDate ? (
        <p className="owed-total">
          <Trans t={t} i18nKey="myPlan.next" values={{ date: data.nextDate }} components={{ amount: m(a.next.amountMinor) }} />
        </p>
      ) : null}
      {data.autopay?.method ? (
        <p>
          {t("myPlan.autopay.on", { method: data.autopay.method })} <Link to={`${base}/payment-methods`}>{t("myPlan.autopay.manage")}</Link>
        </p>
      ) : null}
      <p>
        <Trans t={t} i18nKey="myPlan.total" components={{ amount: m(a.totalMinor) }} />
        {a.paidMinor > 0 ? (
          <>
            {" "}
            <Trans t={t} i18nKey="myPlan.paidSoFar" components={{ amount: m(a.paidMinor) }} />
          </>
        ) : null}
      </p>

      <ScheduleList
        rows={a.installments.map((i) => ({
          dueOn: i.dueOn,
          amountMinor: i.amountMinor,
          note: (
            <>
              {t(`myPlan.installmentStatus.${i.status}`)}
              {i.movedFrom ? ` (${t("myPlan.moved", { date: i.movedFrom })})` : null}
              {i.automatic ? ` (${t(`myPlan.autopay.state.${i.automatic.state}`, { date: i.automatic.nextAttempt })})` : null}
            </>
          ),
        }))}
        currency={data.currency}
        region={data.region}
        caption={t("myPlan.schedule")}
        dateLabel={t("simulator.result.date")}
        amountLabel={t("simulator.result.amount")}
        showAllLabel={(n) => t("simulator.result.showAll", { count: n })}
      />

      {a.terms ? (
        <details className="terms" open={data.done === "agreed" || undefined}>
          <summary>{t("myPlan.termsTitle")}</summary>
          <p>{t("myPlan.termsAgreed", { date: a.agreedOn })}</p>
          <TermsLines lines={a.terms.lines} payments={a.terms.payments} />
        </details>
      ) : null}

      {a.live ? (
        <ul className="option-list">
          {data.autopay?.canOffer ? (
            <li>
              <ButtonLink to={`${base}/my-plan/autopay`} variant="option" description={t("myPlan.autopay.offerHint")}>
                {t("myPlan.autopay.offer")}
              </ButtonLink>
            </li>
          ) : null}
          {a.canMove ? (
            <li>
              <ButtonLink to={`${base}/my-plan/move`} variant="option">
                {t("myPlan.move")}
              </ButtonLink>
            </li>
          ) : null}
          <li>
            <ButtonLink to={`${base}/my-plan/cancel`} variant="option">
              {t("myPlan.cancel")}
            </ButtonLink>
          </li>
        </ul>
      ) : (
        <ButtonLink to={`${base}/plan`}>{t("myPlan.setUp")}</ButtonLink>
      )}
      <p>
        <Link to={base}>{t("myPlan.back")}</Link>
      </p>
    </Page>
  );
}
