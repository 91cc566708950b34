/**
 * /ops/requests/plan/:arrangementId: staff review a plan request (issue 8 item 3; ADR 010).
 * The account, its balance and ledger, the borrower's income and expenditure, which policy
 * rule the request breaks (in words), and the schedule asked for; then Approve, Decline or
 * Counter-offer, each with a reason code and a note to the borrower.
 *
 * Four eyes: when the request is above the signed-in staff member's approval limit, Approve is
 * replaced by "Send to a supervisor". The page only chooses which buttons to show: the
 * database function decides (app.require_approval_authority), so a forged form gets a 403
 * here too. Two people deciding at once: the second is told who decided first.
 *
 * The counter-offer form builds its schedule with the borrower's simulator code
 * (app/utils/plan-decision-offer.ts over app/domain): live in the browser, and on "Preview"
 * without JavaScript, where the page is rendered again from the posted fields. Every form is
 * a plain POST; a decision redirects back here with a confirmation (Post/Redirect/Get).
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { ErrorLines } from "~/components/field";
import { MoneyField } from "~/components/money-field";
import { OpsEarlierContacts } from "~/components/ops-earlier-contacts";
import { Page } from "~/components/page";
import { RadioCards } from "~/components/radio-cards";
import { ScheduleList } from "~/components/schedule-list";
import { TextArea } from "~/components/text-area";
import { TextField } from "~/components/text-field";
import { defaultStartDate, startDateOptions, type ChoiceContext, type ChoiceErrors } from "~/domain/arrangement-choice";
import { formatMoney } from "~/domain/money";
import type { PlanPolicy } from "~/domain/plan-policy";
import { fallbackLanguage, intlLocale, isLanguage, type Language } from "~/i18n/config";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { recentContacts } from "~/utils/contact-history.server";
import { dayIn, formatCalendarDate, formatInstant } from "~/utils/borrower-format.server";
import { formatDate } from "~/utils/calendar-format";
import { dueIn } from "~/utils/ops-format.server";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";
import { planDecisionEmailGoes } from "~/utils/plan-decision-email.server";
import { buildCounterOffer, OFFER_FIELDS, readOfferValues, type OfferValues } from "~/utils/plan-decision-offer";
import { approvalAuthority, NOTE_MAX_LENGTH, OFFER_DAYS, REASON_CODES, type PlanDecision } from "~/utils/plan-decision-codes";
import {
  approvePlanRequest,
  counterPlanRequest,
  declinePlanRequest,
  escalatePlanRequest,
  finalDecision,
  getPlanRequestReview,
  reasonCodeSchema,
  type DecisionRefusal,
  type DecisionResult,
  type PlanRequestReview,
} from "~/utils/plan-decisions.server";
import { requireStaff, type Staff } from "~/utils/staff-session.server";

export const handle = { i18n: ["common", "ops-plan"] };

const ParamsSchema = z.object({ arrangementId: z.uuid() });

const forbidden = () => new Response("Forbidden", { status: 403 });
const notFound = () => new Response("Not found", { status: 404 });

/** The staff member and the request, or the right 403/404. */
async function loadReview(request: Request, params: Record<string, string | undefined>) {
  const staff = await requireStaff(request);
  const parsed = ParamsSchema.safeParse(params);
  if (!parsed.success) throw notFound();
  const review = await getPlanRequestReview(staff.id, parsed.data.arrangementId);
  if (!review) throw forbidden();
  return { staff, review };
}

/** What the counter-offer's domain code needs, or null when there is nothing to offer. */
function offerContext(review: PlanRequestReview): ChoiceContext | null {
  if (review.account.status !== "open" || review.balance.totalMinor <= 0) return null;
  return { balanceMinor: review.balance.totalMinor, policy: review.creditor.policy, today: review.account.today };
}

function defaultOfferValues(review: PlanRequestReview, context: ChoiceContext | null): OfferValues {
  const frequency = review.request.frequency ?? (review.creditor.policy.frequencies.includes("monthly") ? "monthly" : review.creditor.policy.frequencies[0]!);
  return { by: "count", amount: "", count: "", frequency, start: context ? defaultStartDate(context) : "" };
}

/** About how much a request costs a month, for comparing with the income left over. */
function monthlyMinor(regularMinor: number, frequency: PlanRequestReview["request"]["frequency"]): number | null {
  if (frequency === "monthly") return regularMinor;
  if (frequency === "every_two_weeks") return Math.round((regularMinor * 26) / 12);
  if (frequency === "weekly") return Math.round((regularMinor * 52) / 12);
  return null;
}

async function view(staff: Staff, review: PlanRequestReview, language: Language, url: URL) {
  const t = await i18nServer.getFixedT(language, "ops-plan");
  const region = review.creditor.region;
  const zone = review.creditor.timeZone;
  const locale = intlLocale(language, region);
  const money = (minor: number) => formatMoney(minor, review.request.currency, locale);
  const day = (iso: string) => formatCalendarDate(iso, language, region);
  const instant = (when: Date) => formatInstant(when, language, zone, region);
  const { request, account, balance, creditor } = review;
  const policy = creditor.policy;
  const installments = request.installments;
  const first = installments[0];
  const last = installments[installments.length - 1];
  const percent = (bps: number) => new Intl.NumberFormat(locale, { style: "percent", maximumFractionDigits: 2 }).format(bps / 10_000);

  const proposedWords = !first || !last
    ? ""
    : request.kind === "plan"
      ? t("proposed.plan", {
          regular: money(first.amountMinor),
          frequency: t(`frequency.${request.frequency ?? "monthly"}`),
          count: installments.length,
          first: day(first.dueOn),
          last: day(last.dueOn),
          total: money(request.totalMinor),
        })
      : request.kind === "settlement"
        ? t("proposed.settlement", {
            total: money(request.totalMinor),
            balance: money(request.balanceMinor),
            discount: money(request.discountMinor),
            percent: percent(request.discountBps),
            count: installments.length,
            first: day(first.dueOn),
            last: day(last.dueOn),
          })
        : t("proposed.promise", { total: money(request.totalMinor), first: day(first.dueOn) });

  const rules = request.policyRules.map((code) => {
    if (code === "plan_longer_than_auto_approve") {
      return policy.autoApproveLongestPlanMonths === 0
        ? t("rules.plan_longer_than_auto_approve_none")
        : t("rules.plan_longer_than_auto_approve", { last: last ? day(last.dueOn) : "", months: policy.autoApproveLongestPlanMonths });
    }
    if (code === "discount_above_auto_approve") {
      return t("rules.discount_above_auto_approve", {
        discount: `${percent(request.discountBps)} (${money(request.discountMinor)})`,
        auto: percent(policy.autoApproveSettlementDiscountBps),
        max: percent(policy.settlementMaxDiscountBps),
      });
    }
    return t("rules.other", { code });
  });

  const context = offerContext(review);
  const escalatedById = request.escalatedBy?.id ?? null;
  const authority = approvalAuthority(staff, { escalatedById }, { balanceMinor: request.balanceMinor, discountMinor: request.discountMinor });
  const counterAuthority = context ? approvalAuthority(staff, { escalatedById }, { balanceMinor: context.balanceMinor, discountMinor: 0 }) : null;
  const decided = finalDecision(review);
  const ie = review.incomeExpenditure;
  const monthly = request.kind === "plan" && first ? monthlyMinor(first.amountMinor, request.frequency) : null;
  const done = url.searchParams.get("done");

  return {
    title: t("meta.title", { reference: account.reference }),
    lead: t("lead", { borrower: review.borrower.fullName, creditor: creditor.name, date: day(request.agreedOn) }),
    reference: account.reference,
    accountId: account.id,
    currency: request.currency,
    region,
    pending: request.status === "pending_review",
    statusText: request.status === "pending_review"
      ? t("status.pending_review", {
          // Due at the end of a day in the creditor's zone: name that day, not the midnight after it.
          date: day(dayIn(new Date(request.reviewDueAt.getTime() - 1), zone)),
          relative: dueIn(request.reviewDueAt, Date.now(), locale),
        })
      : t(`status.${request.status}`),
    escalatedText: request.escalatedAt && request.escalatedBy ? t("escalated", { name: request.escalatedBy.fullName, date: instant(request.escalatedAt) }) : null,
    decidedText: decided?.staff ? t("decidedBy", { decision: t(`decision.${decided.decision}`), name: decided.staff.fullName, date: instant(decided.createdAt) }) : null,
    done:
      done && (["approved", "declined", "countered", "escalated"] as const).includes(done as PlanDecision)
        ? {
            title: t(`done.${done}`, { until: review.offer ? instant(review.offer.expiresAt) : "" }),
            email:
              done === "escalated"
                ? null
                : url.searchParams.get("emailed") === "1"
                  ? t("done.emailed", { language: t(`languages.${review.borrower.language}`) })
                  : t("done.notEmailed"),
          }
        : null,
    account: {
      reference: account.reference,
      product: account.product,
      status: account.status,
      opened: day(account.openedOn),
      original: money(account.originalAmountMinor),
      rate: account.interestRateBps === null ? null : percent(account.interestRateBps),
      dpd: account.daysPastDue,
      borrower: review.borrower.fullName,
      language: t(`languages.${review.borrower.language}`),
      email: review.borrower.email,
    },
    balance: {
      principal: money(balance.principalMinor),
      interest: money(balance.interestMinor),
      fees: money(balance.feesMinor),
      total: money(balance.totalMinor),
      atRequest: balance.totalMinor !== request.balanceMinor ? money(request.balanceMinor) : null,
    },
    ie: ie
      ? {
          from: instant(ie.submittedAt),
          income: money(ie.monthlyIncomeMinor),
          outgoings: money(ie.monthlyOutgoingsMinor),
          left: money(ie.monthlyIncomeMinor - ie.monthlyOutgoingsMinor),
        }
      : null,
    planMonthly: monthly === null ? null : money(monthly),
    rules,
    proposed: {
      kind: request.kind,
      words: proposedWords,
      installments: installments.map((i) => ({ dueOn: i.dueOn, amountMinor: i.amountMinor, status: i.status })),
    },
    contacts: await recentContacts(staff, account.id, language, zone),
    history: review.decisions.map((d) => ({
      id: d.id,
      text: t("decidedBy", { decision: t(`decision.${d.decision}`), name: d.staff?.fullName ?? "", date: instant(d.createdAt) }),
      reason: t(`reasons.${d.decision}.${d.reasonCode}`, { defaultValue: d.reasonCode }),
      note: d.note,
    })),
    offer: review.offer
      ? {
          status: t(`offer.status.${review.offer.status}`, { until: instant(review.offer.expiresAt) }),
          installments: review.offer.installments,
          total: money(review.offer.totalMinor),
        }
      : null,
    ledger: review.ledger.map((e) => ({
      id: e.id,
      on: day(e.effectiveOn),
      kind: t(`ledger.kinds.${e.kind}`),
      amount: money(e.amountMinor),
      reason: e.reasonCode ?? "",
    })),
    staff: {
      limit: money(staff.approvalLimitMinor),
      authority,
      counterAuthority,
      canDecide: !(request.escalatedAt && staff.role === "agent"),
      escalated: request.escalatedAt !== null,
    },
    overLimitText: t("escalate.overLimit", {
      limit: money(staff.approvalLimitMinor),
      balance: money(request.balanceMinor),
      discount: request.discountMinor > 0 ? t("escalate.discountPart", { amount: money(request.discountMinor) }) : "",
    }),
    counter: context
      ? {
          context,
          startOptions: startDateOptions(context),
          frequencies: policy.frequencies,
          balance: money(context.balanceMinor),
          minimumText: money(policy.minimumPaymentMinor),
          defaults: defaultOfferValues(review, context),
        }
      : null,
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { staff, review } = await loadReview(request, params);
  const language = await getLanguage(request, null);
  return view(staff, review, language, new URL(request.url));
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }, { name: "robots", content: "noindex" }];

// ---------------------------------------------------------------------------------------
// Action

const Note = z.string().max(NOTE_MAX_LENGTH).optional().transform((note) => (note && note.trim() ? note.trim() : null));

const ApproveSchema = z.object({ intent: z.literal("approve"), reason: reasonCodeSchema("approved"), note: Note });
const DeclineSchema = z.object({ intent: z.literal("decline"), reason: reasonCodeSchema("declined"), note: Note });
const EscalateSchema = z.object({ intent: z.literal("escalate"), reason: reasonCodeSchema("escalated") });
const CounterSchema = z.object({ intent: z.literal("counter"), reason: reasonCodeSchema("countered"), note: Note });
const IntentSchema = z.enum(["approve", "decline", "escalate", "counter", "preview"]);

type ActionProblem = { problem: string | null; values?: OfferValues & { reason: string; note: string } };

const REFUSAL_STATUS: Record<DecisionRefusal, number> = {
  staff_forbidden: 403,
  over_limit: 403,
  escalated: 403,
  four_eyes: 403,
  already_decided: 409,
  already_escalated: 409,
  account_not_open: 409,
  balance_changed: 409,
  schedule_started: 409,
  invalid_decision: 400,
  invalid_offer: 400,
};

export async function action({ request, params }: ActionFunctionArgs) {
  const staff = await requireStaff(request);
  const parsedParams = ParamsSchema.safeParse(params);
  if (!parsedParams.success) throw notFound();
  const arrangementId = parsedParams.data.arrangementId;
  const language = await getLanguage(request, null);
  const t = await i18nServer.getFixedT(language, "ops-plan");
  const form = Object.fromEntries(await request.formData().catch(() => new FormData()));
  const fail = (status: number, body: ActionProblem) => data(body, { status, headers: { "Cache-Control": "no-store" } });
  const invalid = () => fail(400, { problem: t("errors.invalid", { max: NOTE_MAX_LENGTH }) });
  const intent = IntentSchema.safeParse(form.intent);
  if (!intent.success) return invalid();

  let result: DecisionResult;
  if (intent.data === "approve") {
    const parsed = ApproveSchema.safeParse(form);
    if (!parsed.success) return invalid();
    result = await approvePlanRequest({ staffId: staff.id, arrangementId, reasonCode: parsed.data.reason, note: parsed.data.note });
  } else if (intent.data === "decline") {
    const parsed = DeclineSchema.safeParse(form);
    if (!parsed.success) return invalid();
    result = await declinePlanRequest({ staffId: staff.id, arrangementId, reasonCode: parsed.data.reason, note: parsed.data.note });
  } else if (intent.data === "escalate") {
    const parsed = EscalateSchema.safeParse(form);
    if (!parsed.success) return invalid();
    result = await escalatePlanRequest({ staffId: staff.id, arrangementId, reasonCode: parsed.data.reason });
  } else {
    const values = readOfferValues(form);
    const entered = { ...values, reason: typeof form.reason === "string" ? form.reason.slice(0, 64) : "", note: typeof form.note === "string" ? form.note.slice(0, NOTE_MAX_LENGTH) : "" };
    // "Preview" without JavaScript: the page renders again from what was typed; nothing changes.
    if (intent.data === "preview") return { problem: null, values: entered };
    const review = await getPlanRequestReview(staff.id, arrangementId);
    if (!review) throw forbidden();
    const context = offerContext(review);
    const parsed = CounterSchema.safeParse(form);
    if (!parsed.success || !context) return fail(400, { problem: t(context ? "errors.invalid" : "counter.notOpen", { max: NOTE_MAX_LENGTH }), values: entered });
    const offer = buildCounterOffer(values, context);
    if (!offer.ok) {
      const problems = Object.values(offer.errors).map((code) => t(`fieldErrors.${code}`, { minimum: formatMoney(context.policy.minimumPaymentMinor, review.request.currency, intlLocale(language, review.creditor.region)) }));
      const outside = offer.outsidePolicy.map((code) => t(`ruleNames.${code}`));
      return fail(400, { problem: t("errors.counterFields", { problems: [...problems, ...outside].join("; ") }), values: entered });
    }
    result = await counterPlanRequest({
      staffId: staff.id,
      arrangementId,
      reasonCode: parsed.data.reason,
      note: parsed.data.note,
      balanceMinor: context.balanceMinor,
      choice: offer.choice,
      policyRules: offer.policyRules,
    });
    if (!result.ok) return refusal(staff, arrangementId, result.reason, language, entered);
  }
  if (!result.ok) return refusal(staff, arrangementId, result.reason, language);

  let emailed = false;
  if (result.decision !== "escalated") {
    nudgeOutbox();
    emailed = await planDecisionEmailGoes(result.decisionId);
  }
  throw redirect(`/ops/requests/plan/${arrangementId}?done=${result.decision}&emailed=${emailed ? 1 : 0}`, { status: 303 });
}

/** The answer to a refused decision: who decided first, or what stands in the way. */
async function refusal(staff: Staff, arrangementId: string, reason: DecisionRefusal, language: Language, values?: ActionProblem["values"]) {
  const t = await i18nServer.getFixedT(language, "ops-plan");
  let problem: string;
  if (reason === "already_decided") {
    const review = await getPlanRequestReview(staff.id, arrangementId);
    const decided = review ? finalDecision(review) : null;
    problem = decided?.staff
      ? t("alreadyDecided", { name: decided.staff.fullName, decision: t(`decision.${decided.decision}`) })
      : t("alreadyEnded", { status: review ? t(`status.${review.request.status}`) : "" });
  } else {
    const review = reason === "over_limit" ? await getPlanRequestReview(staff.id, arrangementId) : null;
    const limit = formatMoney(staff.approvalLimitMinor, review?.request.currency ?? "USD", intlLocale(language, review?.creditor.region ?? "US"));
    problem = t(`errors.${reason}`, { limit });
  }
  return data({ problem, ...(values ? { values } : {}) } satisfies ActionProblem, { status: REFUSAL_STATUS[reason], headers: { "Cache-Control": "no-store" } });
}

// ---------------------------------------------------------------------------------------
// Page

type LoaderData = ReturnType<typeof useLoaderData<typeof loader>>;

export default function PlanRequestPage() {
  const page = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("ops-plan");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const problem = actionData && "problem" in actionData ? actionData.problem : null;
  const entered = actionData && "values" in actionData ? actionData.values : undefined;

  return (
    <Page title={t("title", { reference: page.reference })} lead={page.lead} className="ops-page">
      {page.done ? (
        <Alert tone="success" title={page.done.title}>
          {page.done.email ? <p>{page.done.email}</p> : null}
        </Alert>
      ) : null}
      {problem ? <Alert tone="warning" title={problem} /> : null}
      <p>
        <strong>{page.statusText}</strong>
      </p>
      {page.escalatedText ? <p>{page.escalatedText}</p> : null}
      {!page.pending && page.decidedText ? <p>{page.decidedText}</p> : null}

      <div className="ops-columns">
        <AccountSection page={page} />
        <BalanceSection page={page} />
        <IncomeSection page={page} />
      </div>

      <section aria-labelledby="rules-heading">
        <h2 id="rules-heading">{t("rules.heading")}</h2>
        <ul>
          {page.rules.map((rule) => (
            <li key={rule}>{rule}</li>
          ))}
        </ul>
      </section>

      <section aria-labelledby="proposed-heading">
        <h2 id="proposed-heading">{t("proposed.heading")}</h2>
        <p>
          <strong>{t(`proposed.kind.${page.proposed.kind}`)}:</strong> {page.proposed.words}
        </p>
        <ScheduleList
          rows={page.proposed.installments.map((i) => ({ dueOn: i.dueOn, amountMinor: i.amountMinor, note: page.pending ? null : t(`proposed.installmentStatus.${i.status}`) }))}
          currency={page.currency}
          region={page.region}
          caption={t("proposed.schedule")}
          dateLabel={t("proposed.date")}
          amountLabel={t("proposed.amount")}
          showAllLabel={(count) => t("proposed.showAll", { count })}
        />
      </section>

      {page.pending ? <Decisions page={page} busy={busy} entered={entered} /> : null}

      {page.offer ? (
        <section aria-labelledby="offer-heading">
          <h2 id="offer-heading">{t("offer.heading")}</h2>
          <p>{page.offer.status}</p>
          <ScheduleList
            rows={page.offer.installments}
            currency={page.currency}
            region={page.region}
            caption={t("offer.schedule")}
            dateLabel={t("proposed.date")}
            amountLabel={t("proposed.amount")}
            showAllLabel={(count) => t("proposed.showAll", { count })}
          />
        </section>
      ) : null}

      <section aria-labelledby="history-heading">
        <h2 id="history-heading">{t("history.heading")}</h2>
        {page.history.length === 0 ? (
          <p>{t("history.none")}</p>
        ) : (
          <ul>
            {page.history.map((h) => (
              <li key={h.id}>
                {h.text} {h.reason}.{h.note ? ` ${t("history.note", { note: h.note })}` : ""}
              </li>
            ))}
          </ul>
        )}
      </section>

      <OpsEarlierContacts contacts={page.contacts} accountId={page.accountId} />

      <section aria-labelledby="ledger-heading">
        <h2 id="ledger-heading">{t("ledger.heading")}</h2>
        <table className="ops-table ops-table--compact">
          <caption className="visually-hidden">{t("ledger.heading")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("ledger.date")}</th>
              <th scope="col">{t("ledger.kind")}</th>
              <th scope="col">{t("ledger.amount")}</th>
              <th scope="col">{t("ledger.reason")}</th>
            </tr>
          </thead>
          <tbody>
            {page.ledger.map((e) => (
              <tr key={e.id}>
                <td data-label={t("ledger.date")}>{e.on}</td>
                <td data-label={t("ledger.kind")}>{e.kind}</td>
                <td data-label={t("ledger.amount")}>{e.amount}</td>
                <td data-label={t("ledger.reason")}>{e.reason}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <p>
        <Link to={`/ops/accounts/${page.accountId}`}>{t("accountLink")}</Link> · <Link to="/ops">{t("back")}</Link>
      </p>
    </Page>
  );
}

function AccountSection({ page }: { page: LoaderData }) {
  const { t } = useTranslation("ops-plan");
  const a = page.account;
  const rows: Array<[string, string]> = [
    [t("account.borrower"), a.borrower],
    [t("account.reference"), a.reference],
    [t("account.product"), a.product],
    [t("account.status"), a.status],
    [t("account.opened"), a.opened],
    [t("account.original"), a.original],
    ...(a.rate ? ([[t("account.rate"), a.rate]] as Array<[string, string]>) : []),
    [t("account.dpd"), a.dpd === null ? t("account.dpdNone") : String(a.dpd)],
    [t("account.language"), a.language],
    [t("account.email"), a.email ?? t("account.none")],
  ];
  return (
    <section aria-labelledby="account-heading">
      <h2 id="account-heading">{t("account.heading")}</h2>
      <dl className="facts">
        {rows.map(([label, value]) => (
          <div key={label}>
            <dt>{label}</dt>
            <dd className={label === t("account.email") ? "email-address" : undefined}>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

function BalanceSection({ page }: { page: LoaderData }) {
  const { t } = useTranslation("ops-plan");
  const b = page.balance;
  return (
    <section aria-labelledby="balance-heading">
      <h2 id="balance-heading">{t("balance.heading")}</h2>
      <dl className="facts">
        <div>
          <dt>{t("balance.principal")}</dt>
          <dd>{b.principal}</dd>
        </div>
        <div>
          <dt>{t("balance.interest")}</dt>
          <dd>{b.interest}</dd>
        </div>
        <div>
          <dt>{t("balance.fees")}</dt>
          <dd>{b.fees}</dd>
        </div>
        <div>
          <dt>{t("balance.total")}</dt>
          <dd>
            <strong>{b.total}</strong>
          </dd>
        </div>
      </dl>
      {b.atRequest ? <p>{t("balance.atRequest", { amount: b.atRequest })}</p> : null}
    </section>
  );
}

function IncomeSection({ page }: { page: LoaderData }) {
  const { t } = useTranslation("ops-plan");
  return (
    <section aria-labelledby="ie-heading">
      <h2 id="ie-heading">{t("ie.heading")}</h2>
      {page.ie ? (
        <>
          <p>{t("ie.from", { date: page.ie.from })}</p>
          <dl className="facts">
            <div>
              <dt>{t("ie.income")}</dt>
              <dd>{page.ie.income}</dd>
            </div>
            <div>
              <dt>{t("ie.outgoings")}</dt>
              <dd>{page.ie.outgoings}</dd>
            </div>
            <div>
              <dt>{t("ie.left")}</dt>
              <dd>
                <strong>{page.ie.left}</strong>
              </dd>
            </div>
          </dl>
        </>
      ) : (
        <p>{t("ie.none")}</p>
      )}
      {page.planMonthly ? <p>{t("ie.planMonthly", { amount: page.planMonthly })}</p> : null}
    </section>
  );
}

/** A reason code as a native select: works without JavaScript, and the phone shows its own picker. */
function ReasonSelect({ decision, id, defaultValue }: { decision: PlanDecision; id: string; defaultValue?: string }) {
  const { t } = useTranslation("ops-plan");
  const codes: readonly string[] = REASON_CODES[decision];
  return (
    <div className="field">
      <label htmlFor={id} className="field__label">
        {t("form.reason")}
      </label>
      <select id={id} name="reason" className="select" required defaultValue={defaultValue && codes.includes(defaultValue) ? defaultValue : ""}>
        <option value="" disabled>
          {t("form.choose")}
        </option>
        {codes.map((code) => (
          <option key={code} value={code}>
            {t(`reasons.${decision}.${code}`)}
          </option>
        ))}
      </select>
    </div>
  );
}

function NoteField({ defaultValue }: { defaultValue?: string }) {
  const { t } = useTranslation("ops-plan");
  return <TextArea name="note" label={t("form.note")} description={t("form.noteHint")} isOptional rows={3} maxLength={NOTE_MAX_LENGTH} defaultValue={defaultValue} />;
}

function Decisions({ page, busy, entered }: { page: LoaderData; busy: boolean; entered?: ActionProblem["values"] }) {
  const { t } = useTranslation("ops-plan");
  const { staff } = page;
  if (!staff.canDecide) {
    return <Alert tone="info" title={t("waiting.agent")} live="none" />;
  }
  return (
    <div className="ops-columns">
      <section aria-labelledby="approve-heading">
        {staff.authority === "ok" ? (
          <>
            <h2 id="approve-heading">{t("approve.heading")}</h2>
            <p>{t("approve.hint", { limit: staff.limit })}</p>
            <Form method="post" className="stack" noValidate>
              <input type="hidden" name="intent" value="approve" />
              <ReasonSelect decision="approved" id="approve-reason" />
              <NoteField />
              <Button type="submit" isDisabled={busy}>
                {t("approve.button")}
              </Button>
            </Form>
            {!staff.escalated ? (
              <Form method="post" className="after-form">
                <input type="hidden" name="intent" value="escalate" />
                <input type="hidden" name="reason" value="second_opinion" />
                <p>{t("escalate.secondOpinion")}</p>
                <Button type="submit" variant="secondary" isDisabled={busy}>
                  {t("escalate.secondOpinionButton")}
                </Button>
              </Form>
            ) : null}
          </>
        ) : (
          <>
            <h2 id="approve-heading">{t("escalate.heading")}</h2>
            {staff.authority === "four_eyes" ? (
              <p>{t("waiting.fourEyes")}</p>
            ) : staff.escalated ? (
              <p>{t("waiting.overLimit", { limit: staff.limit })}</p>
            ) : (
              <Form method="post" className="stack" noValidate>
                <input type="hidden" name="intent" value="escalate" />
                <input type="hidden" name="reason" value="over_limit" />
                <p>{page.overLimitText}</p>
                <Button type="submit" isDisabled={busy}>
                  {t("escalate.button")}
                </Button>
              </Form>
            )}
          </>
        )}
      </section>

      <section aria-labelledby="decline-heading">
        <h2 id="decline-heading">{t("decline.heading")}</h2>
        <p>{t("decline.hint")}</p>
        <Form method="post" className="stack" noValidate>
          <input type="hidden" name="intent" value="decline" />
          <ReasonSelect decision="declined" id="decline-reason" />
          <NoteField />
          <Button type="submit" variant="secondary" isDisabled={busy}>
            {t("decline.button")}
          </Button>
        </Form>
      </section>

      <CounterSection page={page} busy={busy} entered={entered} />
    </div>
  );
}

function CounterSection({ page, busy, entered }: { page: LoaderData; busy: boolean; entered?: ActionProblem["values"] }) {
  const { t, i18n } = useTranslation("ops-plan");
  const language: Language = isLanguage(i18n.language) ? i18n.language : fallbackLanguage;
  const counter = page.counter;
  const initial = entered ?? (counter ? { ...counter.defaults, reason: "", note: "" } : null);
  const [values, setValues] = useState<OfferValues>(() => (initial ? pickOfferValues(initial) : { by: "count", amount: "", count: "", frequency: "monthly", start: "" }));
  const [touched, setTouched] = useState(Boolean(entered));
  const context = counter?.context as ChoiceContext | undefined;
  const result = useMemo(() => (context ? buildCounterOffer(values, { ...context, policy: context.policy as PlanPolicy }) : null), [values, context]);

  if (!counter || !context || !result) {
    return (
      <section aria-labelledby="counter-heading">
        <h2 id="counter-heading">{t("counter.heading")}</h2>
        <p>{t("counter.notOpen")}</p>
      </section>
    );
  }
  if (page.staff.counterAuthority !== "ok") {
    return (
      <section aria-labelledby="counter-heading">
        <h2 id="counter-heading">{t("counter.heading")}</h2>
        <p>{page.staff.counterAuthority === "four_eyes" ? t("waiting.fourEyes") : t("counter.overLimit", { balance: counter.balance, limit: page.staff.limit })}</p>
      </section>
    );
  }
  const set = (field: keyof OfferValues) => (value: string) => {
    setTouched(true);
    setValues((previous) => ({ ...previous, [field]: value }));
  };
  const errors: ChoiceErrors = touched && !result.ok ? result.errors : {};
  const fieldError = (field: keyof ChoiceErrors) => {
    const code = errors[field];
    return code ? [t(`fieldErrors.${code}`, { minimum: counter.minimumText })] : undefined;
  };
  const locale = intlLocale(language, page.region);
  const money = (minor: number) => formatMoney(minor, page.currency, locale);

  return (
    <section aria-labelledby="counter-heading">
      <h2 id="counter-heading">{t("counter.heading")}</h2>
      <p>{t("counter.hint", { balance: counter.balance, days: OFFER_DAYS })}</p>
      <Form method="post" className="stack" noValidate>
        <RadioCards
          name="by"
          label={t("counter.by")}
          value={values.by === "amount" ? "amount" : "count"}
          onChange={set("by")}
          options={[
            { value: "count", title: t("counter.byCount") },
            { value: "amount", title: t("counter.byAmount") },
          ]}
        />
        <TextField name="count" label={t("counter.count")} inputMode="numeric" width="4" value={values.count} onChange={set("count")} errors={fieldError("count")} />
        <MoneyField name="amount" label={t("counter.amount")} currency={page.currency} region={page.region} value={values.amount} onChange={set("amount")} errors={fieldError("amount")} />
        <div className="field">
          <label htmlFor="counter-frequency" className="field__label">
            {t("counter.frequency")}
          </label>
          {fieldError("frequency") ? (
            <div className="field-error" id="counter-frequency-error">
              <ErrorLines errors={fieldError("frequency")!} />
            </div>
          ) : null}
          <select id="counter-frequency" name="frequency" className="select" value={values.frequency} onChange={(event) => set("frequency")(event.target.value)}>
            {counter.frequencies.map((frequency) => (
              <option key={frequency} value={frequency}>
                {t(`frequency.${frequency}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="counter-start" className="field__label">
            {t("counter.start")}
          </label>
          {fieldError("start") ? (
            <div className="field-error" id="counter-start-error">
              <ErrorLines errors={fieldError("start")!} />
            </div>
          ) : null}
          <select id="counter-start" name="start" className="select" value={counter.startOptions.includes(values.start) ? values.start : ""} onChange={(event) => set("start")(event.target.value)}>
            {counter.startOptions.includes(values.start) ? null : <option value="">{"—"}</option>}
            {counter.startOptions.map((date) => (
              <option key={date} value={date}>
                {formatDate(date, language, page.region, "weekday")}
              </option>
            ))}
          </select>
        </div>
        <Button type="submit" name="intent" value="preview" variant="secondary" formNoValidate isDisabled={busy}>
          {t("counter.preview")}
        </Button>

        <div aria-live="polite">
          {result.ok ? (
            <>
              <h3>{t("counter.previewHeading")}</h3>
              <p>
                {t("proposed.plan", {
                  regular: money(result.choice.regularMinor),
                  frequency: t(`frequency.${result.choice.frequency ?? "monthly"}`),
                  count: result.choice.installments.length,
                  first: formatDate(result.choice.firstDueOn, language, page.region),
                  last: formatDate(result.choice.lastDueOn, language, page.region),
                  total: money(result.choice.totalMinor),
                })}
              </p>
              {result.policyRules.length > 0 ? <p>{t("counter.previewNeedsReview", { rules: result.policyRules.map((code) => t(`ruleNames.${code}`)).join(", ") })}</p> : null}
            </>
          ) : result.outsidePolicy.length > 0 ? (
            <p>{t("counter.outside", { rules: result.outsidePolicy.map((code) => t(`ruleNames.${code}`)).join(", ") })}</p>
          ) : null}
        </div>
        {result.ok ? (
          <ScheduleList
            rows={result.choice.installments}
            currency={page.currency}
            region={page.region}
            caption={t("counter.previewHeading")}
            dateLabel={t("proposed.date")}
            amountLabel={t("proposed.amount")}
            showAllLabel={(count) => t("proposed.showAll", { count })}
          />
        ) : null}

        <ReasonSelect decision="countered" id="counter-reason" defaultValue={entered?.reason} />
        <NoteField defaultValue={entered?.note} />
        <Button type="submit" name="intent" value="counter" isDisabled={busy}>
          {t("counter.button")}
        </Button>
      </Form>
    </section>
  );
}

function pickOfferValues(source: Record<string, string>): OfferValues {
  const values = {} as OfferValues;
  for (const field of OFFER_FIELDS) values[field] = source[field] ?? "";
  return values;
}
