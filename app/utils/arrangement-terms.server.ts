/**
 * The terms of an arrangement as the exact plain-text lines a borrower reads before "I agree"
 * (ADR 004). The review page shows these lines, the consent record stores them (joined by
 * "\n") with their SHA-256, and the confirmation email repeats them. Rendering them again from
 * the same choice, account and language gives the same text, so the action can prove that the
 * borrower agreed to what they were shown: a tampered hidden field or a balance that moved
 * changes the hash.
 */
import { createHash } from "node:crypto";
import type { EvaluatedChoice } from "~/domain/arrangement-choice";
import { formatMoney } from "~/domain/money";
import type { PlanPolicy } from "~/domain/plan-policy";
import { intlLocale, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { formatCalendarDate } from "~/utils/borrower-format.server";

/** The version id of the template these lines come from; a wording change is a new version. */
export const PLAN_TERMS_VERSION = "plan-terms.v1";
export const PLAN_CHANGE_VERSION = "plan-change.v1";

export interface TermsAccount {
  creditorName: string;
  referenceLast4: string;
  currency: string;
  region: string;
  balanceMinor: number;
}

export interface Terms {
  version: string;
  language: Language;
  lines: string[];
  /** Where the payment lines are in `lines` (after their heading line), for pages that list them. */
  payments: { headingIndex: number; count: number } | null;
  /** The lines joined by "\n". */
  body: string;
  /** SHA-256 of body (UTF-8), lower-case hex. */
  sha256: string;
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

export function termsFromLines(version: string, language: Language, lines: string[], payments: Terms["payments"] = null): Terms {
  const body = lines.join("\n");
  return { version, language, lines, payments, body, sha256: sha256Hex(body) };
}

/** "Dec 28, 2026" / "28 dic 2026": short enough that 520 payments stay readable. */
export function formatShortDate(iso: string, language: Language, region = "US"): string {
  const [year, month, day] = iso.split("-").map(Number);
  return new Intl.DateTimeFormat(intlLocale(language, region), { dateStyle: "medium", timeZone: "UTC" }).format(
    new Date(Date.UTC(year!, month! - 1, day!)),
  );
}

/** The full terms of a choice the policy allows (auto_approve or needs_review). */
export async function arrangementTerms(choice: EvaluatedChoice, account: TermsAccount, policy: PlanPolicy, language: Language): Promise<Terms> {
  const t = await i18nServer.getFixedT(language, "plan");
  const money = (minor: number) => formatMoney(minor, account.currency, intlLocale(language, account.region));
  const date = (iso: string) => formatCalendarDate(iso, language, account.region);
  const base = { creditorName: account.creditorName, last4: account.referenceLast4, total: money(choice.totalMinor) };
  const lines: string[] = [];

  if (choice.kind === "plan") {
    lines.push(t("terms.plan.agree", base));
    lines.push(
      t("terms.plan.how", {
        regular: money(choice.regularMinor),
        frequency: t(`terms.frequency.${choice.frequency ?? "monthly"}`),
        count: choice.installments.length,
        first: date(choice.firstDueOn),
        last: date(choice.lastDueOn),
      }),
    );
    if (choice.lastMinor !== choice.regularMinor) lines.push(t("terms.plan.last", { amount: money(choice.lastMinor), total: base.total }));
  } else if (choice.kind === "settlement") {
    lines.push(t("terms.settlement.agree", { ...base, balance: money(account.balanceMinor), discount: money(choice.discountMinor) }));
    lines.push(t("terms.settlement.how", { count: choice.installments.length, first: date(choice.firstDueOn), last: date(choice.lastDueOn) }));
  } else {
    lines.push(t("terms.promise.agree", { ...base, first: date(choice.firstDueOn) }));
  }

  const headingIndex = lines.length;
  lines.push(t("terms.paymentsHeading"));
  for (const installment of choice.installments) {
    lines.push(t("terms.payment", { date: formatShortDate(installment.dueOn, language, account.region), amount: money(installment.amountMinor) }));
  }

  if (choice.kind === "settlement") {
    lines.push(t("terms.settlement.done", base));
    lines.push(t("terms.settlement.missed"));
  } else if (choice.kind === "promise") {
    lines.push(choice.remainingAfterMinor > 0 ? t("terms.promise.rest", { remaining: money(choice.remainingAfterMinor) }) : t("terms.promise.restNone"));
    lines.push(t("terms.promise.missed"));
  } else {
    lines.push(t(policy.freezeInterestAndFeesWhileArranged ? "terms.frozen" : "terms.notFrozen", base));
    lines.push(t("terms.planMissed"));
  }
  lines.push(t("terms.howToPay"));
  lines.push(
    choice.kind === "plan" && policy.movePaymentMaxDays > 0 ? t("terms.change", { days: policy.movePaymentMaxDays }) : t("terms.changeNoMove"),
  );
  lines.push(choice.reviewDueOn ? t("terms.review", { ...base, date: date(choice.reviewDueOn) }) : t("terms.active"));
  return termsFromLines(PLAN_TERMS_VERSION, language, lines, { headingIndex, count: choice.installments.length });
}
