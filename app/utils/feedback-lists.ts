/** Feedback and complaint choices, shared by pages and server code (the database checks the same). */
export const COMPLAINT_CATEGORIES = ["contact", "payments", "plan", "fees", "help", "website", "other"] as const;
export type ComplaintCategory = (typeof COMPLAINT_CATEGORIES)[number];

export const RATINGS = [5, 4, 3, 2, 1] as const;

/**
 * The page a piece of feedback is about, from a Remix route id: its fixed words only, never
 * an id ("routes/account.$accountId.plan._index" → "account.plan"; the home page → "home").
 */
export function feedbackPage(routeId: string | undefined): string {
  const words = (routeId ?? "")
    .replace(/^routes\//, "")
    .split(".")
    .map((part) => part.replace(/^_+|_+$/g, ""))
    .filter((part) => part !== "" && part !== "index" && !part.startsWith("$") && part !== "root");
  const page = words.join(".").toLowerCase().replace(/[^a-z0-9_.-]/g, "");
  return /^[a-z][a-z0-9_.-]{0,62}$/.test(page) ? page : "home";
}
