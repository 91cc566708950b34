/**
 * The income and expenditure form's vocabulary (a hardship request, DESIGN §5 item 7), alone
 * in a tiny module without zod or arithmetic: the sections and categories of the UK Standard
 * Financial Statement (SFS), the frequencies an amount may be given in, and the form's field
 * names. Pages that only list or label the categories, and server-side schemas that check a
 * stored statement, import this without the calculations (income-expenditure.ts).
 *
 * Codes are stable lower_snake_case: they are stored with a hardship request and used as
 * translation keys, so never rename one; add new ones at the end of their section.
 */

/**
 * The statement's sections, in the order the SFS (and the form) shows them. `income` is
 * money coming in; every other section is money going out ("outgoings").
 */
export const IE_SECTIONS = ["income", "fixed_costs", "flexible_costs", "savings", "debts"] as const;
/** One of IE_SECTIONS. */
export type IeSection = (typeof IE_SECTIONS)[number];

/**
 * The categories of each section, in the order the form shows them. What goes where (SFS):
 *
 * income
 * - `earnings`: wages or salary after tax and National Insurance, self-employed income.
 * - `benefits`: state benefits and tax credits (Universal Credit, Child Benefit, PIP…).
 * - `pensions`: state and private pensions.
 * - `other_income`: anything else coming in (maintenance received, lodgers, family help…).
 *
 * fixed_costs
 * - `home_and_contents`: rent, mortgage, council tax, service charges, home insurance, TV licence.
 * - `utilities`: electricity, gas, other fuel.
 * - `water`: water and sewerage.
 * - `care_and_health`: childcare, adult care, prescriptions, dentist, optician.
 * - `transport`: public transport, car finance, insurance, tax, fuel, repairs.
 * - `school`: uniforms, trips, school meals and activities.
 * - `pensions_and_insurance`: pension contributions, life and other insurance.
 * - `professional_costs`: union or professional body fees, work courses.
 * - `other_essentials`: any other cost that cannot be cut.
 *
 * flexible_costs
 * - `communications_and_leisure`: phone, internet, TV packages, hobbies, gifts.
 * - `food_and_housekeeping`: groceries, toiletries, cleaning, pet food, laundry.
 * - `personal_costs`: clothes, shoes, hairdressing.
 *
 * savings
 * - `savings`: a small amount put aside each month for emergencies.
 *
 * debts (what the person pays to OTHER creditors, never to the account this request is about)
 * - `priority_debts`: rent or mortgage arrears, council tax, energy or water arrears, tax,
 *   child maintenance, court fines: debts with serious consequences if unpaid.
 * - `other_debts`: credit cards, loans, catalogues, overdrafts, buy-now-pay-later.
 */
export const IE_CATEGORIES_BY_SECTION = {
  income: ["earnings", "benefits", "pensions", "other_income"],
  fixed_costs: [
    "home_and_contents",
    "utilities",
    "water",
    "care_and_health",
    "transport",
    "school",
    "pensions_and_insurance",
    "professional_costs",
    "other_essentials",
  ],
  flexible_costs: ["communications_and_leisure", "food_and_housekeeping", "personal_costs"],
  savings: ["savings"],
  debts: ["priority_debts", "other_debts"],
} as const satisfies Readonly<Record<IeSection, readonly string[]>>;

/** One of IE_CATEGORIES. */
export type IeCategory = (typeof IE_CATEGORIES_BY_SECTION)[IeSection][number];

/** Every category, section by section, in the form's order (income first). */
export const IE_CATEGORIES: readonly IeCategory[] = Object.freeze(IE_SECTIONS.flatMap((section) => IE_CATEGORIES_BY_SECTION[section]));

const SECTION_OF: ReadonlyMap<IeCategory, IeSection> = new Map(
  IE_SECTIONS.flatMap((section) => IE_CATEGORIES_BY_SECTION[section].map((category): [IeCategory, IeSection] => [category, section])),
);

/** Whether a value is one of IE_SECTIONS. */
export function isIeSection(value: unknown): value is IeSection {
  return typeof value === "string" && (IE_SECTIONS as readonly string[]).includes(value);
}

/** Whether a value is one of IE_CATEGORIES (exact code; no trimming or case folding). */
export function isIeCategory(value: unknown): value is IeCategory {
  return typeof value === "string" && SECTION_OF.has(value as IeCategory);
}

/** The section a category belongs to: `sectionOf("water")` is "fixed_costs". */
export function sectionOf(category: IeCategory): IeSection {
  const section = SECTION_OF.get(category);
  if (section === undefined) throw new RangeError(`unknown income and expenditure category ${String(category)}`);
  return section;
}

/** Whether a line adds to what comes in or to what goes out. */
export type IeKind = "income" | "outgoing";

/** "income" for the income section's categories, "outgoing" for every other category. */
export function ieKindOf(category: IeCategory): IeKind {
  return sectionOf(category) === "income" ? "income" : "outgoing";
}

/** The categories that count as income (the income section), in form order. */
export const IE_INCOME_CATEGORIES: readonly IeCategory[] = Object.freeze(IE_CATEGORIES.filter((c) => ieKindOf(c) === "income"));

/** The categories that count as outgoings (every other section), in form order. */
export const IE_OUTGOING_CATEGORIES: readonly IeCategory[] = Object.freeze(IE_CATEGORIES.filter((c) => ieKindOf(c) === "outgoing"));

/**
 * How often an amount comes in or goes out. "fortnightly" is every two weeks and
 * "four_weekly" every four weeks (13 times a year, not monthly): the SFS's words, which
 * differ on purpose from a plan's PlanFrequency ("every_two_weeks").
 */
export const IE_FREQUENCIES = ["weekly", "fortnightly", "four_weekly", "monthly"] as const;
/** One of IE_FREQUENCIES. */
export type IeFrequency = (typeof IE_FREQUENCIES)[number];

/** Whether a value is one of IE_FREQUENCIES. */
export function isIeFrequency(value: unknown): value is IeFrequency {
  return typeof value === "string" && (IE_FREQUENCIES as readonly string[]).includes(value);
}

/** How many times a year an amount of each frequency falls: 52, 26, 13 and 12. */
export const IE_PERIODS_PER_YEAR: Readonly<Record<IeFrequency, number>> = Object.freeze({
  weekly: 52,
  fortnightly: 26,
  four_weekly: 13,
  monthly: 12,
});

/** The form field holding a category's amount as typed: `ie.<category>.amount`. */
export type IeAmountField = `ie.${IeCategory}.amount`;
/** The form field holding a category's frequency (one of IE_FREQUENCIES): `ie.<category>.frequency`. */
export type IeFrequencyField = `ie.${IeCategory}.frequency`;
/** Any income and expenditure form field. */
export type IeField = IeAmountField | IeFrequencyField;

/** `ieAmountField("water")` is "ie.water.amount". */
export function ieAmountField(category: IeCategory): IeAmountField {
  return `ie.${category}.amount`;
}

/** `ieFrequencyField("water")` is "ie.water.frequency". */
export function ieFrequencyField(category: IeCategory): IeFrequencyField {
  return `ie.${category}.frequency`;
}
