/**
 * A plan that pays itself, set up the way a borrower sets it up: a fresh account, a plan
 * agreed through the app's wrapper, the recurring-payment authorization agreed (its exact
 * words), a card or bank account saved on the sandbox's hosted page in setup mode, and
 * Stripe's events handed to the webhook handler, which activates the authorization.
 */
import { expect } from "vitest";
import { setupCheckoutSession, authenticateSetupCheckoutSession, deliverPendingEvents, type PaymentDetails } from "~/services/stripe/local-sandbox.server";
import { deliverToWebhookHandler } from "~/jobs/run-jobs.server";
import { settleOutboxNudges } from "~/services/email/outbox-nudge.server";
import { agreeArrangement, consentHash, getAccountArrangement } from "~/utils/arrangements.server";
import { autopayTerms, startPaymentAuthorization } from "~/utils/payment-authorizations.server";
import { ALEX, newAccount } from "./accounts";
import { addDays, today } from "./dates";

export const CARD_OK = { card: "4242 4242 4242 4242" } as const;
/** Saves, then every off-session charge is declined (Stripe's documented 0341). */
export const CARD_DECLINES_LATER = { card: "4000 0000 0000 0341" } as const;
/** 3-D Secure on saving, then every off-session charge needs the customer (authentication_required). */
export const CARD_ALWAYS_AUTHENTICATES = { card: "4000 0027 6000 3184" } as const;
export const BANK_OK = { bankAccount: { routingNumber: "110000000", accountNumber: "000123456789" } } as const;

/**
 * Hands the sandbox's pending events to the webhook handler; every one must be answered 200.
 * Then waits for the outbox passes the handler nudged (the emails its events queued).
 */
export async function deliverEvents(): Promise<void> {
  await deliverPendingEvents({
    deliver: async (payload, signature) => {
      const answer = await deliverToWebhookHandler(payload, signature);
      expect(answer.status).toBe(200);
      return answer;
    },
  });
  await settleOutboxNudges();
}

let plans = 0;

export interface AutopayPlanOptions {
  method?: PaymentDetails;
  /** Payment dates; monthly from 3 days ahead by default. */
  dueDates?: string[];
  amountMinor?: number;
  /** Leave the authorization pending (the borrower never finished on Stripe's page). */
  save?: boolean;
}

export interface AutopayPlan {
  accountId: string;
  arrangementId: string;
  authorizationId: string;
  sessionId: string;
  installments: { id: string; dueOn: string; amountMinor: number }[];
}

export interface AgreedPlanOptions {
  borrowerId?: string;
  /** Payment dates, one installment each. */
  dueDates: string[];
  amountMinor?: number;
  /** The test account's reference prefix. */
  prefix?: string;
}

/** A fresh account (owing exactly the plan's total) with a monthly plan agreed through the app's wrapper, paid by hand. */
export async function agreedPlan({ borrowerId = ALEX, dueDates, amountMinor = 10_000, prefix = "TEST-AUTO" }: AgreedPlanOptions) {
  const total = amountMinor * dueDates.length;
  const accountId = await newAccount({ borrowerId, principal: total, interest: 0, fees: 0, prefix });
  const body = `Test plan ${++plans} ${accountId}\nYou agree to pay as listed.`;
  const agreed = await agreeArrangement({
    borrowerId,
    accountId,
    kind: "plan",
    frequency: "monthly",
    discountBps: 0,
    balanceMinor: total,
    totalMinor: total,
    installments: dueDates.map((dueOn) => ({ dueOn, amountMinor })),
    policyRules: [],
    reviewDueOn: null,
    consent: { version: "plan-terms.v1", language: "en", body, sha256: consentHash(body), ip: "203.0.113.5", userAgent: "Vitest/3" },
  });
  if (!agreed.ok) throw new Error(`expected the plan to be agreed, got ${agreed.reason}`);
  const arrangement = (await getAccountArrangement(borrowerId, accountId))!;
  return { accountId, arrangementId: agreed.arrangementId, arrangement };
}

export async function autopayPlan({ method = CARD_OK, dueDates, amountMinor = 10_000, save = true }: AutopayPlanOptions = {}): Promise<AutopayPlan> {
  const t = today();
  const { accountId, arrangementId, arrangement } = await agreedPlan({ dueDates: dueDates ?? [addDays(t, 3), addDays(t, 33), addDays(t, 63)], amountMinor });
  const terms = await autopayTerms(
    { creditorName: "Northwind Lending", referenceLast4: "0000", currency: "USD", region: "US", supportPhone: "+18005550100", installments: arrangement.installments },
    "en",
  );
  const started = await startPaymentAuthorization({
    borrowerId: ALEX,
    accountId,
    arrangementId,
    consent: { version: terms.version, language: terms.language, body: terms.body, sha256: terms.sha256, ip: "203.0.113.5", userAgent: "Vitest/3 (autopay)" },
    returnPath: (id, cancelled) => `/account/${accountId}/payment-methods?${cancelled ? "cancelled=1" : `saved=${id}`}`,
  });
  if (!started.ok) throw new Error(`expected the authorization to start, got ${started.reason}`);
  const sessionId = new URL(started.url).pathname.split("/").pop()!;
  if (save) {
    let outcome = await setupCheckoutSession(sessionId, method);
    if (outcome.status === "requires_action") outcome = await authenticateSetupCheckoutSession(sessionId, "succeeded");
    expect(outcome.status).toBe("succeeded");
    await deliverEvents();
  }
  return {
    accountId,
    arrangementId,
    authorizationId: started.authorizationId,
    sessionId,
    installments: arrangement.installments.map((i) => ({ id: i.id, dueOn: i.dueOn, amountMinor: i.amountMinor })),
  };
}
