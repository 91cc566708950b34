/**
 * `plan.decision` (requested; ADR 014): the email of a staff decision on a plan request
 * (approved, declined, counter-offer), queued by the decision's audit event (migration
 * 20261128001900_outbox_notices.sql). Params: `{ decision_id }`.
 */
import { z } from "zod";
import { planDecisionMessage } from "~/utils/plan-decision-email.server";
import type { OutboxTemplate } from "./types.server";

const Params = z.object({ decision_id: z.uuid() });

export const planDecisionTemplate: OutboxTemplate = {
  render: (message) => planDecisionMessage(Params.parse(message.params).decision_id),
};
