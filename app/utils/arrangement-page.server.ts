/**
 * What every arrangement page loads first (issue 5): the signed-in borrower, their account
 * (404 for anyone else's), the creditor's plan policy, and the context the simulator's domain
 * code needs (balance, policy, today in the creditor's time zone).
 */
import type { ChoiceContext } from "~/domain/arrangement-choice";
import { PlanPolicySchema, type PlanPolicy } from "~/domain/plan-policy";
import { rpc } from "~/services/supabase/rpc.server";
import { getAccountOverview, orNotFound, requireUuid, type AccountOverview } from "~/utils/accounts.server";
import type { TermsAccount } from "~/utils/arrangement-terms.server";
import { getAccountArrangement, type Arrangement } from "~/utils/arrangements.server";
import { requireBorrowerSession, type ActiveBorrowerSession } from "~/utils/session.server";

/** The creditor's plan policy for one of this borrower's accounts; a 404 Response for any other. */
export async function getAccountPlanPolicy(borrowerId: string, accountId: string): Promise<PlanPolicy> {
  const account = requireUuid(accountId);
  return orNotFound(() => rpc("account_plan_policy", { p_borrower_id: borrowerId, p_account_id: account }, PlanPolicySchema));
}

export interface ArrangementPageContext {
  session: ActiveBorrowerSession;
  overview: AccountOverview;
  policy: PlanPolicy;
  /** Null when nothing is owed or the account is not open: there is nothing to arrange. */
  choiceContext: ChoiceContext | null;
  termsAccount: TermsAccount;
  /** The live or latest arrangement, when asked for (fetched alongside, not after). */
  arrangement: Arrangement | null;
}

export async function loadArrangementPage(
  request: Request,
  accountId: string | undefined,
  { withArrangement = false }: { withArrangement?: boolean } = {},
): Promise<ArrangementPageContext> {
  const session = await requireBorrowerSession(request);
  const id = requireUuid(accountId ?? "");
  const [overview, policy, arrangement] = await Promise.all([
    getAccountOverview(session.borrowerId, id),
    getAccountPlanPolicy(session.borrowerId, id),
    withArrangement ? getAccountArrangement(session.borrowerId, id) : null,
  ]);
  const balanceMinor = overview.itemization.today.totalMinor;
  return {
    session,
    overview,
    policy,
    choiceContext: overview.status === "open" && balanceMinor > 0 ? { balanceMinor, policy, today: overview.today } : null,
    arrangement,
    termsAccount: {
      creditorName: overview.creditor.name,
      referenceLast4: overview.referenceLast4,
      currency: overview.currency,
      region: overview.creditor.region,
      balanceMinor,
    },
  };
}
