/**
 * The simulator's form fields (arrangement-choice.ts explains each), alone in a tiny module:
 * the review page posts them back as hidden fields without loading the simulator's code.
 */
export const CHOICE_FIELDS = ["kind", "by", "amount", "count", "frequency", "start", "payments"] as const;
export type ChoiceField = (typeof CHOICE_FIELDS)[number];

/** The fields as text, exactly as typed or chosen (missing ones are empty). */
export type ChoiceValues = Record<ChoiceField, string>;
