/**
 * What a signed-in borrower may read about their accounts (issue 4 items 5–8). Every call
 * names the borrower from the session and the database answers only for that borrower's
 * own accounts: another borrower's account id is a 404, never a 403 (STYLE: Route module),
 * so ids reveal nothing. Money is bigint minor units (cents) parsed into safe integers;
 * calendar dates stay `YYYY-MM-DD` strings (in the creditor's time zone), instants are Dates.
 */
import { z } from "zod";
import { type Language } from "~/i18n/config";
import { isRpcError, rpc } from "~/services/supabase/rpc.server";

const Minor = z.number().int().refine(Number.isSafeInteger, "not a safe integer");
const IsoDate = z.iso.date();
const Hours = z.object({ en: z.string(), es: z.string().optional() });
const Uuid = z.uuid();

const notFound = () => new Response("Not found", { status: 404 });

/** Throws the route's 404 for a non-uuid id before asking the database. */
export function requireUuid(value: string): string {
  const parsed = Uuid.safeParse(value);
  if (!parsed.success) throw notFound();
  return parsed.data;
}

/** PT404 from the database (not this borrower's account, or none) becomes the route's 404. */
export async function orNotFound<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isRpcError(error) && error.code === "PT404") throw notFound();
    throw error;
  }
}

/**
 * Calls the function; PT404 becomes the route's 404, and a PT409/PT422 whose hint is one of
 * `reasons` becomes `{ ok: false, reason }`. Everything else is thrown.
 */
export async function withReasons<T, R extends string>(reasons: readonly R[], call: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; reason: R }> {
  try {
    return { ok: true, value: await orNotFound(call) };
  } catch (error) {
    if (isRpcError(error) && (error.code === "PT409" || error.code === "PT422")) {
      const reason = reasons.find((r) => r === error.hint);
      if (reason) return { ok: false, reason };
    }
    throw error;
  }
}

// ---------------------------------------------------------------------------------------
// The borrower's accounts

export const BorrowerAccountSchema = z
  .object({
    account_id: z.uuid(),
    reference_last4: z.string(),
    creditor_name: z.string(),
    product: z.string(),
    status: z.enum(["open", "paid", "closed"]),
    total_minor: Minor,
    currency: z.string().length(3),
    days_past_due: z.number().int().nullable(),
  })
  .transform((a) => ({
    accountId: a.account_id,
    referenceLast4: a.reference_last4,
    creditorName: a.creditor_name,
    /** A product code ('personal_loan', 'credit_card'); the page words it. */
    product: a.product,
    status: a.status,
    totalMinor: a.total_minor,
    currency: a.currency,
    /** Null when nothing is overdue. */
    daysPastDue: a.days_past_due,
  }));
export type BorrowerAccount = z.output<typeof BorrowerAccountSchema>;

/** The borrower's accounts, by reference. Empty for an unknown borrower. */
export async function listBorrowerAccounts(borrowerId: string): Promise<BorrowerAccount[]> {
  return rpc("borrower_accounts", { p_borrower_id: Uuid.parse(borrowerId) }, z.array(BorrowerAccountSchema));
}

// ---------------------------------------------------------------------------------------
// Overview

const SplitSchema = z
  .object({ principal_minor: Minor, interest_minor: Minor, fees_minor: Minor, total_minor: Minor })
  .transform((s) => ({ principalMinor: s.principal_minor, interestMinor: s.interest_minor, feesMinor: s.fees_minor, totalMinor: s.total_minor }));
/** A balance split into what was borrowed (principal), interest and fees; total is their sum. */
export type BalanceSplit = z.output<typeof SplitSchema>;

export const AccountOverviewSchema = z
  .object({
    account_id: z.uuid(),
    reference_last4: z.string(),
    product: z.string(),
    status: z.enum(["open", "paid", "closed"]),
    currency: z.string().length(3),
    opened_on: IsoDate,
    original_amount_minor: Minor,
    interest_rate_bps: z.number().int().nullable(),
    original_creditor: z.string().nullable(),
    first_missed_payment_on: IsoDate.nullable(),
    days_past_due: z.number().int().nullable(),
    charged_off_on: IsoDate.nullable(),
    itemization_date: IsoDate,
    today: IsoDate,
    creditor: z.object({
      name: z.string(),
      legal_name: z.string(),
      support_phone: z.string(),
      support_hours: Hours,
      support_email: z.string().nullable(),
      region: z.string(),
      jurisdiction: z.string(),
      time_zone: z.string(),
    }),
    itemization: z.object({
      at_itemization: SplitSchema,
      principal_added_minor: Minor,
      interest_added_minor: Minor,
      fees_added_minor: Minor,
      payments_minor: Minor,
      payments_reversed_minor: Minor,
      credits_minor: Minor,
      adjustments_minor: Minor,
      today: SplitSchema,
    }),
  })
  .transform((o) => ({
    accountId: o.account_id,
    /** The only part of the reference a page may show. */
    referenceLast4: o.reference_last4,
    product: o.product,
    status: o.status,
    currency: o.currency,
    openedOn: o.opened_on,
    originalAmountMinor: o.original_amount_minor,
    interestRateBps: o.interest_rate_bps,
    /** Where the debt started, when it is not the creditor (a sold debt). */
    originalCreditor: o.original_creditor,
    firstMissedPaymentOn: o.first_missed_payment_on,
    /** Days since the oldest missed payment, counted in the creditor's time zone; null when current. */
    daysPastDue: o.days_past_due,
    chargedOffOn: o.charged_off_on,
    itemizationDate: o.itemization_date,
    /** Today in the creditor's time zone. */
    today: o.today,
    creditor: {
      name: o.creditor.name,
      legalName: o.creditor.legal_name,
      supportPhone: o.creditor.support_phone,
      supportHours: o.creditor.support_hours,
      supportEmail: o.creditor.support_email,
      region: o.creditor.region,
      jurisdiction: o.creditor.jurisdiction,
      timeZone: o.creditor.time_zone,
    },
    /**
     * today.totalMinor = atItemization.totalMinor + principalAddedMinor + interestAddedMinor
     *   + feesAddedMinor − paymentsMinor + paymentsReversedMinor − creditsMinor + adjustmentsMinor,
     * exactly. All are ≥ 0 except adjustmentsMinor (signed: + raised the balance).
     */
    itemization: {
      atItemization: o.itemization.at_itemization,
      principalAddedMinor: o.itemization.principal_added_minor,
      interestAddedMinor: o.itemization.interest_added_minor,
      feesAddedMinor: o.itemization.fees_added_minor,
      /** Payments received, as a positive number. */
      paymentsMinor: o.itemization.payments_minor,
      /** Refunds and chargebacks: payments that came back, raising the balance again. */
      paymentsReversedMinor: o.itemization.payments_reversed_minor,
      /** Credits given, as a positive number. */
      creditsMinor: o.itemization.credits_minor,
      adjustmentsMinor: o.itemization.adjustments_minor,
      today: o.itemization.today,
    },
  }));
export type AccountOverview = z.output<typeof AccountOverviewSchema>;

/** One account of this borrower, explained. Throws a 404 Response for any other id. */
export async function getAccountOverview(borrowerId: string, accountId: string): Promise<AccountOverview> {
  const account = requireUuid(accountId);
  return orNotFound(() => rpc("account_overview", { p_borrower_id: Uuid.parse(borrowerId), p_account_id: account }, AccountOverviewSchema));
}

// ---------------------------------------------------------------------------------------
// Timeline ("Explain my balance")

export const LedgerKindSchema = z.enum(["principal", "interest", "fee", "payment", "credit", "adjustment", "refund", "chargeback"]);
export type LedgerKind = z.output<typeof LedgerKindSchema>;

const TimelineEntrySchema = z
  .object({
    entry_id: z.uuid(),
    effective_on: IsoDate,
    kind: LedgerKindSchema,
    reason_code: z.string().nullable(),
    principal_minor: Minor,
    interest_minor: Minor,
    fees_minor: Minor,
    amount_minor: Minor,
    balance_after: SplitSchema,
  })
  .transform((e) => ({
    entryId: e.entry_id,
    effectiveOn: e.effective_on,
    kind: e.kind,
    /** e.g. 'interest_accrued', 'late_fee', 'payment_received'; the page words it. */
    reasonCode: e.reason_code,
    /** Signed changes: + raised the balance, − lowered it. */
    principalMinor: e.principal_minor,
    interestMinor: e.interest_minor,
    feesMinor: e.fees_minor,
    amountMinor: e.amount_minor,
    /** The running balance after this entry. */
    balanceAfter: e.balance_after,
  }));
export type TimelineEntry = z.output<typeof TimelineEntrySchema>;

export const AccountTimelineSchema = z
  .object({
    account_id: z.uuid(),
    currency: z.string().length(3),
    itemization_date: IsoDate,
    opening: SplitSchema,
    entries: z.array(TimelineEntrySchema),
    closing: SplitSchema,
  })
  .transform((t) => ({
    accountId: t.account_id,
    currency: t.currency,
    itemizationDate: t.itemization_date,
    /** What was owed at the end of the itemization date (the first line of the statement). */
    opening: t.opening,
    /** Every entry dated after the itemization date, oldest first. */
    entries: t.entries,
    /** Today's balance: the last entry's balanceAfter, or the opening when there is none. */
    closing: t.closing,
  }));
export type AccountTimeline = z.output<typeof AccountTimelineSchema>;

/** Every ledger entry since the itemization date with a running balance. 404 Response for any other id. */
export async function getAccountTimeline(borrowerId: string, accountId: string): Promise<AccountTimeline> {
  const account = requireUuid(accountId);
  return orNotFound(() => rpc("account_timeline", { p_borrower_id: Uuid.parse(borrowerId), p_account_id: account }, AccountTimelineSchema));
}

// ---------------------------------------------------------------------------------------
// Language

/** Saves the borrower's language choice to their record (emails and later visits use it). */
export async function setBorrowerLanguage(borrowerId: string, language: Language): Promise<void> {
  await rpc("set_borrower_language", { p_borrower_id: Uuid.parse(borrowerId), p_language: language }, z.object({ changed: z.boolean() }));
}

// ---------------------------------------------------------------------------------------
// "Is this genuine?"

export const PublicCreditorSchema = z
  .object({
    name: z.string(),
    legal_name: z.string(),
    support_phone: z.string(),
    support_hours: Hours,
    support_email: z.string().nullable(),
  })
  .transform((c) => ({
    name: c.name,
    legalName: c.legal_name,
    /** E.164; format with formatPhoneNumber from ~/domain/phone. */
    supportPhone: c.support_phone,
    supportHours: c.support_hours,
    supportEmail: c.support_email,
  }));
export type PublicCreditor = z.output<typeof PublicCreditorSchema>;

/** Every creditor's official contact details, by name (public: no personal data). */
export async function listPublicCreditors(): Promise<PublicCreditor[]> {
  return rpc("public_creditors", {}, z.array(PublicCreditorSchema), { get: true });
}
