/**
 * `debt_advice.received` (requested; ADR 014): the confirmation of a debt advice
 * declaration, queued by its audit event (migration 20261128001900_outbox_notices.sql).
 * Params: `{ declaration_id }`. Null (cancelled) when the declaration has ended before it went.
 */
import { z } from "zod";
import { debtAdviceNoticeMessage } from "~/utils/debt-advice-email.server";
import type { OutboxTemplate } from "./types.server";

const Params = z.object({ declaration_id: z.uuid() });

export const debtAdviceReceivedTemplate: OutboxTemplate = {
  render: (message) => debtAdviceNoticeMessage(Params.parse(message.params).declaration_id),
};
