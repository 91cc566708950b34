/**
 * Paying through Stripe Checkout (issue 6 item 2): a payment row first (our id, the amount
 * checked against the balance and the policy in the database), then a Checkout Session whose
 * metadata carries that id, created with an idempotency key built from it, so a retried
 * request never opens two sessions for one payment. The balance changes only when Stripe's
 * webhook says the money arrived (app/routes/webhooks.stripe.ts), never from the redirect.
 *
 * One Checkout open per account: once the new session exists, the account's older open
 * sessions (another tab, or a payment started and left) are expired at Stripe, so the
 * borrower cannot pay twice; Stripe's checkout.session.expired event cancels their payments.
 */
import Stripe from "stripe";
import { z } from "zod";
import { getStripe } from "~/services/stripe/client.server";
import { rpc } from "~/services/supabase/rpc.server";
import { getEnv } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";
import { attachCheckoutSession, startPayment } from "~/utils/payments.server";

export type CheckoutPurpose = "full" | "installment" | "amount";

export type CheckoutResult =
  | { ok: true; url: string; paymentId: string }
  | { ok: false; reason: "account_not_open" | "amount_out_of_range" | "payment_in_flight" | "unavailable" };

export interface StartCheckoutInput {
  borrowerId: string;
  accountId: string;
  amountMinor: number;
  purpose: CheckoutPurpose;
  installmentId: string | null;
  /** The line the borrower sees on Stripe's page: "Payment to Northwind Lending". */
  description: string;
}

export async function startCheckout(input: StartCheckoutInput): Promise<CheckoutResult> {
  const started = await startPayment({
    borrowerId: input.borrowerId,
    accountId: input.accountId,
    amountMinor: input.amountMinor,
    purpose: input.purpose,
    installmentId: input.installmentId,
  });
  if (!started.ok) return started;
  const env = getEnv();
  const back = new URL(`/account/${input.accountId}/pay/return`, env.APP_URL);
  back.searchParams.set("payment", started.paymentId);
  const cancel = new URL(back);
  cancel.searchParams.set("cancelled", "1");
  const metadata = { payment_id: started.paymentId, account_id: input.accountId };
  try {
    const session = await getStripe().checkout.sessions.create(
      {
        mode: "payment",
        allowed_payment_method_types: ["card", "us_bank_account"],
        line_items: [
          {
            quantity: 1,
            price_data: { currency: started.currency.toLowerCase(), unit_amount: started.amountMinor, product_data: { name: input.description } },
          },
        ],
        client_reference_id: started.paymentId,
        metadata,
        payment_intent_data: { metadata },
        success_url: back.toString(),
        cancel_url: cancel.toString(),
      },
      { idempotencyKey: `checkout/${started.paymentId}` },
    );
    if (!session.url) throw new Error("Checkout Session without a url");
    await attachCheckoutSession({ borrowerId: input.borrowerId, paymentId: started.paymentId, sessionId: session.id });
    await expireOtherCheckouts(input.borrowerId, input.accountId, started.paymentId);
    return { ok: true, url: session.url, paymentId: started.paymentId };
  } catch (error) {
    // Stripe unreachable or refusing: nothing was charged; the payment row stays 'created'.
    const code = error instanceof Stripe.errors.StripeError ? (error.code ?? error.type) : "unexpected";
    logger.warn("checkout.start_failed", { paymentId: started.paymentId, code });
    return { ok: false, reason: "unavailable" };
  }
}

const OpenSessionsSchema = z.array(z.object({ payment_id: z.uuid(), session_id: z.string().min(1) }));

/**
 * Expires the account's other open Checkout Sessions. A session Stripe will not expire (paid
 * or expired meanwhile) is left as it is: its own events settle its payment. Never throws:
 * the new session stands either way.
 */
async function expireOtherCheckouts(borrowerId: string, accountId: string, paymentId: string): Promise<void> {
  let others: z.output<typeof OpenSessionsSchema>;
  try {
    others = await rpc("open_checkout_sessions", { p_borrower_id: borrowerId, p_account_id: accountId, p_except_payment_id: paymentId }, OpenSessionsSchema);
  } catch (error) {
    logger.warn("checkout.open_sessions_unreadable", { paymentId, code: (error as { code?: unknown } | null)?.code ?? null });
    return;
  }
  for (const other of others) {
    try {
      await getStripe().checkout.sessions.expire(other.session_id);
      logger.info("checkout.expired_other", { paymentId: other.payment_id, newPaymentId: paymentId });
    } catch (error) {
      const code = error instanceof Stripe.errors.StripeError ? (error.code ?? error.type) : "unexpected";
      logger.warn("checkout.expire_other_failed", { paymentId: other.payment_id, code });
    }
  }
}
