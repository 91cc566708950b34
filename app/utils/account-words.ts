/**
 * Small rules for wording account data, shared by the account pages (server and browser).
 */

const PRODUCTS = new Set(["personal_loan", "credit_card"]);

/** A product code the copy has words for ("personal_loan"), else "other" ("Loan"). */
export function productKey(product: string): "personal_loan" | "credit_card" | "other" {
  return PRODUCTS.has(product) ? (product as "personal_loan" | "credit_card") : "other";
}

const REASONS = new Set(["loan_disbursed", "card_purchases", "interest_accrued", "late_fee", "payment_received"]);

/** The translation key describing a ledger entry: its reason code when worded, else its kind. */
export function entryDescriptionKey(kind: string, reasonCode: string | null): string {
  return reasonCode && REASONS.has(reasonCode) ? `balance.reason.${reasonCode}` : `balance.kind.${kind}`;
}
