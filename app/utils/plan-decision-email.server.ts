/**
 * The borrower is told by email of every staff decision on their request (issue 8 item 3;
 * ADR 010), in their own language (from their record, not the staff member's): approved,
 * declined (with what they can do next), or a counter-offer (its payments and a link to
 * answer it). An escalation is internal and sends nothing.
 *
 * The facts come from the database (api.plan_decision_notice) when the message goes. The
 * outbox sends it (ADR 014): the decision's audit event queues one message per decision in
 * the same transaction (migration 20261128001900_outbox_notices.sql, template
 * `plan.decision`), and the console nudges the sender once it has its answer.
 */
import type { TFunction } from "i18next";
import { planApprovedEmail } from "~emails/plan-approved";
import { planCounterOfferEmail } from "~emails/plan-counter-offer";
import { planDeclinedEmail } from "~emails/plan-declined";
import { debtAdviceFor } from "~emails/request-parts";
import { formatMoney } from "~/domain/money";
import { intlLocale, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { getEmailT } from "~/services/email/t.server";
import { formatCalendarDate, formatInstant } from "~/utils/borrower-format.server";
import { getEnv } from "~/utils/env.server";
import { emailContactLine, type OutboxRendered } from "~/utils/outbox-templates/types.server";
import { getPlanDecisionNotice, type PlanDecisionNotice } from "~/utils/plan-decisions.server";

/**
 * The reason in the borrower's words, or null when there is nothing to say beyond the note
 * ("other" with no note). Approvals give no reason: yes needs none.
 */
export function borrowerReasonText(
  w: TFunction,
  decision: "approved" | "declined" | "countered",
  reasonCode: string,
  note: string | null,
  creditorName: string,
): string | null {
  if (decision === "approved") return null;
  if (reasonCode === "other") return note ? w("reasons.otherSeeNote") : null;
  const key = `reasons.${decision}.${reasonCode}`;
  return w(key, { creditorName, defaultValue: "" }) || null;
}

/** The email for a decision: null when there is nothing to send (an escalation, or an unknown id). */
export async function planDecisionMessage(decisionId: string): Promise<OutboxRendered | null> {
  const notice = await getPlanDecisionNotice(decisionId);
  if (!notice) return null;
  return buildFor(notice);
}

/**
 * True when the decision's email goes: it was queued with the decision (anything but an
 * escalation) and the borrower has an address on file for the outbox to send it to.
 */
export async function planDecisionEmailGoes(decisionId: string): Promise<boolean> {
  const notice = await getPlanDecisionNotice(decisionId);
  return Boolean(notice?.borrower.email);
}

async function buildFor(notice: PlanDecisionNotice): Promise<OutboxRendered> {
  const env = getEnv();
  const language: Language = notice.borrower.language;
  const region = notice.creditor.region;
  const [t, w, accountT] = await Promise.all([getEmailT(language), i18nServer.getFixedT(language, "offer"), i18nServer.getFixedT(language, "account")]);
  const locale = intlLocale(language, region);
  const money = (minor: number) => formatMoney(minor, notice.currency, locale);
  const date = (iso: string) => formatCalendarDate(iso, language, region);
  const url = (page: string) => new URL(`/account/${notice.account_id}/${page}`, env.APP_URL).toString();
  const contact = emailContactLine(notice.creditor);
  const creditorName = notice.creditor.name;
  const common = {
    t,
    w: w as unknown as typeof t,
    lang: language,
    appUrl: env.APP_URL,
    creditorName,
    creditorContact: contact,
    referenceText: accountT("referenceEnding", { last4: notice.reference_last4 }),
    note: notice.note,
    reasonText: borrowerReasonText(w, notice.decision, notice.reason_code, notice.note, creditorName),
  };
  const rows = (installments: ReadonlyArray<{ dueOn: string; amountMinor: number }>) =>
    installments.map((i) => ({ dateText: date(i.dueOn), amountText: money(i.amountMinor) }));

  let email;
  if (notice.decision === "approved") {
    const installments = notice.request.installments;
    email = planApprovedEmail({
      ...common,
      kind: notice.request.kind,
      installments: rows(installments),
      totalText: money(notice.request.total_minor),
      planUrl: url("my-plan"),
    });
  } else if (notice.decision === "declined") {
    email = planDeclinedEmail({ ...common, kind: notice.request.kind, chooseUrl: url("plan"), helpUrl: url("help"), advice: debtAdviceFor(region) });
  } else {
    const offer = notice.offer;
    if (!offer) throw new Error("a counter-offer decision without its offer");
    email = planCounterOfferEmail({
      ...common,
      installments: rows(offer.installments),
      totalText: money(offer.totalMinor),
      openUntilText: formatInstant(offer.expiresAt, language, notice.creditor.time_zone, region),
      offerUrl: url("my-plan/offer"),
    });
  }
  return email;
}
