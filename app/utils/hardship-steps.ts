/**
 * The pages of the "Ask for help" form, in order, and which income-and-expenditure
 * categories each money page asks about (the database's app.ie_step_categories agrees).
 * Isomorphic: the pages use these lists in the browser too (never import a .server module
 * into a component).
 */
import { IE_CATEGORIES_BY_SECTION, type IeCategory } from "~/domain/income-expenditure-fields";

/** The form's pages, in order; "check" sends it. */
export const FORM_STEPS = ["reasons", "income", "fixed", "flexible", "debts", "help", "health", "documents", "check"] as const;
export type FormStep = (typeof FORM_STEPS)[number];
export type IeStep = "income" | "fixed" | "flexible" | "debts";

export const IE_STEP_CATEGORIES: Readonly<Record<IeStep, readonly IeCategory[]>> = {
  income: IE_CATEGORIES_BY_SECTION.income,
  fixed: IE_CATEGORIES_BY_SECTION.fixed_costs,
  flexible: [...IE_CATEGORIES_BY_SECTION.flexible_costs, ...IE_CATEGORIES_BY_SECTION.savings],
  debts: IE_CATEGORIES_BY_SECTION.debts,
};

export const isIeStep = (step: string): step is IeStep => step in IE_STEP_CATEGORIES;

/** Without these two the request cannot be sent. */
export const REQUIRED_STEPS = ["reasons", "help"] as const;

export const HARDSHIP_REASONS = ["job_loss", "illness", "bereavement", "relationship", "caring", "other"] as const;
export type HardshipReason = (typeof HARDSHIP_REASONS)[number];
export const HARDSHIP_HELP = ["payment_break", "lower_payments", "freeze_interest", "settlement", "not_sure"] as const;
export type HardshipHelp = (typeof HARDSHIP_HELP)[number];
export const BREAK_DAYS = [30, 60, 90] as const;
export const DISPUTE_KINDS = ["not_mine", "wrong_amount", "already_paid", "identity_theft"] as const;
export type DisputeKind = (typeof DISPUTE_KINDS)[number];
