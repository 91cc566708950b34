/**
 * The console's fixed lists, shared by server code and pages (isomorphic: pages must not
 * import .server modules). The database checks the same values.
 */
export const STAFF_ROLES = ["agent", "supervisor", "admin"] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export const QUEUE_KINDS = ["plan", "hardship", "dispute", "complaint"] as const;
export type QueueKind = (typeof QUEUE_KINDS)[number];

/** Days past due: 0–30 (current accounts too), 31–60, 61–90, 90+ (app.dpd_bucket). */
export const DPD_BUCKETS = ["0_30", "31_60", "61_90", "90_plus"] as const;

/** Balance bands (app.balance_band): under $1,000, $1,000–4,999, $5,000–9,999, $10,000+. */
export const BALANCE_BANDS = ["under_1k", "1k_5k", "5k_10k", "10k_plus"] as const;
