/**
 * `plan.confirmation` (requested; ADR 014): the written confirmation of a plan, settlement
 * or promise the borrower agreed to (or of a counter-offer they accepted), queued by the
 * agreement's audit event (migration 20261128002050_plan_confirmation_notice.sql). Params:
 * `{ arrangement_id }`. Null (cancelled) when the arrangement is unknown or no longer live
 * before it went.
 */
import { z } from "zod";
import { arrangementConfirmationNoticeMessage } from "~/utils/arrangement-email.server";
import type { OutboxTemplate } from "./types.server";

const Params = z.object({ arrangement_id: z.uuid() });

export const planConfirmationTemplate: OutboxTemplate = {
  render: (message) => arrangementConfirmationNoticeMessage(Params.parse(message.params).arrangement_id),
};
