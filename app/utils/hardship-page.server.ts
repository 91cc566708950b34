/**
 * What every "Ask for help" page loads (issue 7 item 1): the signed-in borrower, their account
 * (404 for anyone else's), the account's hardship request (a draft, a sent one, or none), the
 * order of the steps, and the words of the health-details consent (hashed like every
 * consent, so the action can prove what the borrower agreed to).
 */
import type { Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { getAccountOverview, type AccountOverview } from "~/utils/accounts.server";
import { termsFromLines, type Terms } from "~/utils/arrangement-terms.server";
import { getHardshipRequest, type HardshipRequest } from "~/utils/hardship.server";
import { FORM_STEPS, type FormStep } from "~/utils/hardship-steps";
import { requireBorrowerSession, type ActiveBorrowerSession } from "~/utils/session.server";

export { FORM_STEPS, IE_STEP_CATEGORIES, isIeStep, REQUIRED_STEPS, type FormStep, type IeStep } from "~/utils/hardship-steps";

export const HEALTH_CONSENT_VERSION = "health-data.v1";

export async function healthConsentTerms(creditorName: string, language: Language): Promise<Terms> {
  const t = await i18nServer.getFixedT(language, "hardship");
  return termsFromLines(HEALTH_CONSENT_VERSION, language, [
    t("health.consent.line1", { creditorName }),
    t("health.consent.line2"),
    t("health.consent.line3"),
  ]);
}

export interface HardshipPage {
  session: ActiveBorrowerSession;
  overview: AccountOverview;
  request: HardshipRequest | null;
  base: string;
}

export async function loadHardshipPage(request: Request, accountId: string | undefined): Promise<HardshipPage> {
  const session = await requireBorrowerSession(request);
  const [overview, hardship] = await Promise.all([
    getAccountOverview(session.borrowerId, accountId ?? ""),
    getHardshipRequest(session.borrowerId, accountId ?? ""),
  ]);
  return { session, overview, request: hardship, base: `/account/${overview.accountId}/help` };
}

/** The first step not saved yet (where "Continue" goes), else the check page. */
export function nextUnsaved(request: HardshipRequest | null): FormStep {
  const done = new Set<string>(request?.stepsDone ?? []);
  // Documents are optional and have no saved state of their own.
  return FORM_STEPS.find((step) => step !== "check" && step !== "documents" && !done.has(step)) ?? "check";
}
