/**
 * /account/:accountId, the overview (issue 4 item 5, DESIGN §1 item 1 and §5 item 3): who the
 * borrower owes, what they owe today and why, line by line in plain words, what happens if
 * nothing changes (calm and true), and their options as large buttons. A paid-in-full account
 * says so warmly and offers no payment.
 *
 * The lines add up exactly to what is owed: what was borrowed, interest and fees (what was
 * owed on the itemization date plus what was added since), less payments and credits since
 * that date (api.account_overview returns the parts; ADR 003).
 * getAccountOverview answers 404 for an account that is not this borrower's.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { Link, useLoaderData } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { Alert } from "~/components/alert";
import { Button, ButtonLink } from "~/components/button";
import { CreditorContact } from "~/components/creditor-contact";
import { Money } from "~/components/money";
import { Page } from "~/components/page";
import { i18nServer } from "~/i18n/i18next.server";
import { productKey } from "~/utils/account-words";
import { getAccountOverview, listBorrowerAccounts } from "~/utils/accounts.server";
import { getAccountArrangement } from "~/utils/arrangements.server";
import { creditorContact, dayIn, formatCalendarDate, formatRate, formatInstant } from "~/utils/borrower-format.server";
import { debtAdvicePanel, getDebtAdvice } from "~/utils/debt-advice.server";
import { getHardshipRequest, listDisputes } from "~/utils/hardship.server";
import { listAccountPayments } from "~/utils/payments.server";
import { disputeResolutionPanel, hardshipDecisionPanel, type DecisionPanel } from "~/utils/request-decisions.server";
import { requireBorrowerSession } from "~/utils/session.server";
import { noStore } from "~/utils/no-store";

export const headers = noStore;

export const handle = { i18n: ["common", "account"] };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const session = await requireBorrowerSession(request);
  const accountId = params.accountId ?? "";
  // One round trip's worth of waiting: each call answers 404 for another borrower's account.
  const [overview, accounts, arrangement, payments, disputes, hardship, debtAdvice] = await Promise.all([
    getAccountOverview(session.borrowerId, accountId),
    listBorrowerAccounts(session.borrowerId),
    getAccountArrangement(session.borrowerId, accountId),
    listAccountPayments(session.borrowerId, accountId),
    listDisputes(session.borrowerId, accountId),
    getHardshipRequest(session.borrowerId, accountId),
    getDebtAdvice(session.borrowerId, accountId),
  ]);
  const openDispute = disputes.find((d) => d.status !== "resolved") ?? null;
  const live = arrangement && (arrangement.status === "active" || arrangement.status === "pending_review") ? arrangement : null;
  const next = live?.installments.find((i) => i.status === "scheduled") ?? null;
  const language = session.language;
  const region = overview.creditor.region;
  const date = (iso: string) => formatCalendarDate(iso, language, region);
  const t = await i18nServer.getFixedT(language, "account");
  const it = overview.itemization;
  const start = it.atItemization;
  const paidInFull = overview.status === "paid" || it.today.totalMinor <= 0;

  return {
    title: t("overview.meta.title", { creditorName: overview.creditor.name }),
    hasOtherAccounts: accounts.length > 1,
    dispute: openDispute
      ? {
          kind: openDispute.kind,
          receivedOn: date(dayIn(openDispute.receivedAt, overview.creditor.timeZone)),
          dueOn: date(dayIn(openDispute.dueAt, overview.creditor.timeZone)),
        }
      : null,
    // Debt advice while it pauses collection (issue 7 item 3), in the borrower's words.
    debtAdvice: debtAdvice?.active
      ? await debtAdvicePanel(debtAdvice, { accountId: overview.accountId, language, region, timeZone: overview.creditor.timeZone })
      : null,
    // Staff answers (ADR 011): the decision on the latest request for help, and the answer to
    // the latest dispute while no other is open.
    hardshipDecision: await hardshipDecisionPanel(hardship, {
      language,
      region,
      timeZone: overview.creditor.timeZone,
      currency: overview.currency,
      creditorName: overview.creditor.name,
    }),
    disputeAnswer: openDispute
      ? null
      : await disputeResolutionPanel(disputes[0] ?? null, { language, region, timeZone: overview.creditor.timeZone, creditorName: overview.creditor.name }),
    // A request for help that was sent and is waiting, or a draft to finish.
    hardship:
      hardship && (hardship.status === "submitted" || hardship.status === "draft")
        ? {
            status: hardship.status,
            dueOn: hardship.decisionDueAt ? date(dayIn(new Date(hardship.decisionDueAt.getTime() - 1), overview.creditor.timeZone)) : null,
          }
        : null,
    account: {
      id: overview.accountId,
      currency: overview.currency,
      region,
      paidInFull,
      pastDue: overview.firstMissedPaymentOn !== null,
      creditorName: overview.creditor.name,
      originalCreditor: overview.originalCreditor,
      product: productKey(overview.product),
      referenceLast4: overview.referenceLast4,
      openedOn: date(overview.openedOn),
      originalAmountMinor: overview.originalAmountMinor,
      rate: overview.interestRateBps === null ? null : formatRate(overview.interestRateBps, language, region),
      missedSince: overview.firstMissedPaymentOn ? date(overview.firstMissedPaymentOn) : null,
      since: date(overview.itemizationDate),
    },
    owed: {
      totalMinor: it.today.totalMinor,
      borrowedMinor: start.principalMinor + it.principalAddedMinor,
      interestMinor: start.interestMinor + it.interestAddedMinor,
      feesMinor: start.feesMinor + it.feesAddedMinor,
      paidMinor: it.paymentsMinor,
      reversedMinor: it.paymentsReversedMinor,
      // Credits, and corrections that lowered the balance, are money taken off.
      takenOffMinor: it.creditsMinor + Math.max(0, -it.adjustmentsMinor),
      addedMinor: Math.max(0, it.adjustmentsMinor),
    },
    contact: creditorContact(overview.creditor, language),
    // Payments made here, newest first, with their state (issue 6 item 6).
    payments: payments.slice(0, 5).map((p) => ({
      id: p.paymentId,
      amountMinor: p.amountMinor,
      status: p.status,
      on: formatInstant(p.succeededAt ?? p.createdAt, language, overview.creditor.timeZone, region),
    })),
    plan: live
      ? {
          kind: live.kind,
          status: live.status,
          nextAmountMinor: next?.amountMinor ?? null,
          nextDate: next ? date(next.dueOn) : null,
        }
      : null,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

const OPTIONS = ["pay", "plan", "help", "dispute", "preferences"] as const;

export default function AccountOverview() {
  const { account, owed, contact, hasOtherAccounts, plan, payments, dispute, hardship, debtAdvice, hardshipDecision, disputeAnswer } = useLoaderData<typeof loader>();
  const { t } = useTranslation("account");
  const money = (amountMinor: number) => <Money amountMinor={amountMinor} currency={account.currency} region={account.region} />;
  const line = (key: string, amountMinor: number, values?: Record<string, string>) => (
    <Trans t={t} i18nKey={key} values={values} components={{ amount: money(amountMinor) }} />
  );
  const base = `/account/${account.id}`;

  return (
    <Page title={t("overview.title", { creditorName: account.creditorName })} className="overview">
      {hasOtherAccounts ? (
        <p>
          <Link to="/account">{t("overview.allAccounts")}</Link>
        </p>
      ) : null}
      <p className="lead">
        {account.originalCreditor && account.originalCreditor !== account.creditorName
          ? t("overview.who.original", { originalCreditor: account.originalCreditor, creditorName: account.creditorName })
          : t(account.paidInFull ? "overview.who.paid" : "overview.who.owe", { creditorName: account.creditorName })}
      </p>

      {account.paidInFull ? (
        <Alert tone="success" live="none" title={t("overview.paidInFull.title")}>
          <p>{t("overview.paidInFull.body")}</p>
          {owed.paidMinor > 0 ? <p>{line("overview.paidInFull.paid", owed.paidMinor, { date: account.since })}</p> : null}
          <p>{t("overview.paidInFull.keep")}</p>
        </Alert>
      ) : (
        <section aria-labelledby="owed-title">
          <h2 id="owed-title">{t("overview.owed.title")}</h2>
          <p className="owed-total">{line("overview.owed.total", owed.totalMinor)}</p>
          <ul className="owed-lines">
            <li>{line("overview.owed.borrowed", owed.borrowedMinor)}</li>
            {owed.interestMinor > 0 ? <li>{line("overview.owed.interest", owed.interestMinor)}</li> : null}
            {owed.feesMinor > 0 ? <li>{line("overview.owed.fees", owed.feesMinor)}</li> : null}
            {owed.paidMinor > 0 ? (
              <li>
                {line("overview.owed.paid", owed.paidMinor, { date: account.since })} {t("overview.owed.paidNote")}
              </li>
            ) : null}
            {owed.reversedMinor > 0 ? <li>{line("overview.owed.reversed", owed.reversedMinor, { date: account.since })}</li> : null}
            {owed.takenOffMinor > 0 ? <li>{line("overview.owed.credits", owed.takenOffMinor, { date: account.since })}</li> : null}
            {owed.addedMinor > 0 ? <li>{line("overview.owed.added", owed.addedMinor, { date: account.since })}</li> : null}
          </ul>
        </section>
      )}

      {hardship ? (
        <section aria-labelledby="hardship-title" className="panel">
          <h2 id="hardship-title">{t("overview.hardship.title")}</h2>
          {hardship.status === "submitted" ? (
            <>
              <p>{t("overview.hardship.due", { date: hardship.dueOn })}</p>
              <p>{t("overview.hardship.paused")}</p>
            </>
          ) : (
            <p>{t("overview.hardship.draft")}</p>
          )}
          <ButtonLink to={`${base}/help`} variant="secondary">
            {hardship.status === "submitted" ? t("overview.hardship.see") : t("overview.hardship.finish")}
          </ButtonLink>
        </section>
      ) : null}

      {dispute ? (
        <section aria-labelledby="dispute-title" className="panel">
          <h2 id="dispute-title">{t("overview.dispute.title")}</h2>
          <p>{t("overview.dispute.received", { date: dispute.receivedOn })}</p>
          <p>{t("overview.dispute.due", { date: dispute.dueOn })}</p>
          <p>{t("overview.dispute.paused")}</p>
          <ButtonLink to={`${base}/dispute`} variant="secondary">
            {t("overview.dispute.see")}
          </ButtonLink>
        </section>
      ) : null}

      {hardshipDecision ? <AnswerPanel id="hardship-answer" panel={hardshipDecision} to={`${base}/help`} /> : null}
      {disputeAnswer ? <AnswerPanel id="dispute-answer" panel={disputeAnswer} to={`${base}/dispute`} /> : null}

      {debtAdvice ? (
        <section aria-labelledby="debt-advice-title" className="panel">
          <h2 id="debt-advice-title">{debtAdvice.title}</h2>
          {debtAdvice.lines.map((line) => (
            <p key={line}>{line}</p>
          ))}
          <ButtonLink to={debtAdvice.link.href} variant="secondary">
            {debtAdvice.link.text}
          </ButtonLink>
        </section>
      ) : null}

      <ButtonLink to={`${base}/balance`} variant="option" description={t("overview.owed.explainDescription")}>
        {t("overview.owed.explain")}
      </ButtonLink>

      {plan ? (
        <section aria-labelledby="plan-title" className="panel">
          <h2 id="plan-title">{t(`overview.plan.${plan.kind}`)}</h2>
          <p>{t(`overview.plan.status.${plan.status}`)}</p>
          {plan.status === "active" && plan.nextAmountMinor !== null && plan.nextDate ? (
            <p>{line("overview.plan.next", plan.nextAmountMinor, { date: plan.nextDate })}</p>
          ) : null}
          <ButtonLink to={`${base}/my-plan`} variant="secondary">
            {t("overview.plan.see")}
          </ButtonLink>
        </section>
      ) : null}

      {account.paidInFull || plan ? null : (
        <section aria-labelledby="next-title">
          <h2 id="next-title">{t("overview.next.title")}</h2>
          {account.pastDue ? (
            <>
              <p>{t("overview.next.pastDue", { creditorName: account.creditorName })}</p>
              {account.rate ? <p>{t("overview.next.interest")}</p> : null}
            </>
          ) : (
            <p>{t("overview.next.current")}</p>
          )}
          <p>{t("overview.next.anyTime")}</p>
        </section>
      )}

      {payments.length > 0 ? (
        <section aria-labelledby="payments-title">
          <h2 id="payments-title">{t("overview.payments.title")}</h2>
          <ul className="payment-list">
            {payments.map((payment) => (
              <li key={payment.id}>
                <Link to={`${base}/pay/return?payment=${payment.id}${payment.status === "created" ? "&cancelled=1" : ""}`}>
                  {line(`overview.payments.${payment.status}`, payment.amountMinor, { date: payment.on })}
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <section aria-labelledby="options-title">
        <h2 id="options-title">{t("overview.options.title")}</h2>
        <ul className="option-list">
          {OPTIONS.filter((option) => !account.paidInFull || option === "preferences").map((option) =>
            option === "plan" && plan ? (
              <li key={option}>
                <ButtonLink to={`${base}/my-plan`} variant="option" description={t("overview.options.myPlanDescription")}>
                  {t("overview.options.myPlan")}
                </ButtonLink>
              </li>
            ) : (
              <li key={option}>
                <ButtonLink to={`${base}/${option}`} variant="option" description={t(`overview.options.${option}Description`)}>
                  {t(`overview.options.${option}`)}
                </ButtonLink>
              </li>
            ),
          )}
        </ul>
      </section>

      <section aria-labelledby="agreement-title">
        <h2 id="agreement-title">{t("overview.agreement.title")}</h2>
        <dl className="facts">
          <div>
            <dt>{t("overview.agreement.product")}</dt>
            <dd>{t(`product.${account.product}`)}</dd>
          </div>
          <div>
            <dt>{t("overview.agreement.reference")}</dt>
            <dd>{t("overview.agreement.referenceValue", { last4: account.referenceLast4 })}</dd>
          </div>
          <div>
            <dt>{t("overview.agreement.opened")}</dt>
            <dd>{account.openedOn}</dd>
          </div>
          <div>
            <dt>{t("overview.agreement.originalAmount")}</dt>
            <dd>{money(account.originalAmountMinor)}</dd>
          </div>
          {account.rate ? (
            <div>
              <dt>{t("overview.agreement.rate")}</dt>
              <dd>{t("overview.agreement.rateValue", { rate: account.rate })}</dd>
            </div>
          ) : null}
          {account.paidInFull ? null : account.missedSince ? (
            <div>
              <dt>{t("overview.agreement.missedSince")}</dt>
              <dd>{t("overview.agreement.missedSinceValue", { date: account.missedSince })}</dd>
            </div>
          ) : (
            <div>
              <dt>{t("overview.agreement.upToDate")}</dt>
              <dd>{t("overview.agreement.upToDateValue")}</dd>
            </div>
          )}
        </dl>
      </section>

      <section aria-labelledby="contact-title">
        <h2 id="contact-title">{t("overview.contact.title")}</h2>
        <CreditorContact
          callLabel={t("overview.contact.call", { creditorName: contact.name })}
          phone={contact.phone}
          hours={t("overview.contact.hours", { hours: contact.hours })}
        />
      </section>

      <SignOutEverywhere />
    </Page>
  );
}

/** Sign out on every device: a plain form, for a borrower who used a shared or lost phone. */
function SignOutEverywhere() {
  const { t } = useTranslation("account");
  return (
    <section aria-labelledby="sign-out-title" className="sign-out-everywhere">
      <h2 id="sign-out-title">{t("overview.signOutEverywhere.title")}</h2>
      <p>{t("overview.signOutEverywhere.body")}</p>
      <form method="post" action="/sign-out">
        <Button type="submit" name="intent" value="everywhere" variant="secondary">
          {t("overview.signOutEverywhere.button")}
        </Button>
      </form>
    </section>
  );
}

/** A staff answer to a request for help or a dispute: what we decided, why, their note, and a link to the rest. */
function AnswerPanel({ id, panel, to }: { id: string; panel: DecisionPanel; to: string }) {
  return (
    <section aria-labelledby={id} className="panel">
      <h2 id={id}>{panel.title}</h2>
      <p>{panel.decidedOn}</p>
      <p>{panel.headline}</p>
      {panel.why ? <p>{panel.why}</p> : null}
      {panel.note ? (
        <>
          <h3>{panel.noteTitle}</h3>
          <p className="own-words">{panel.note}</p>
        </>
      ) : null}
      <ButtonLink to={to} variant="secondary">
        {panel.see}
      </ButtonLink>
    </section>
  );
}
