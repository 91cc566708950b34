/**
 * The confirmations of a request for help and of a dispute, and the answers to them
 * (requested; ADR 014), queued by the audit events of the functions that record them
 * (migration 20261128001900_outbox_notices.sql):
 * - `hardship.received` and `hardship.decided`, params `{ request_id }`;
 * - `dispute.received` and `dispute.resolved`, params `{ dispute_id }`.
 * The facts are read when the message goes (app/utils/request-notices.server.ts); null (the
 * message is cancelled) when it no longer applies.
 */
import { z } from "zod";
import {
  disputeNoticeMessage,
  disputeResolutionNoticeMessage,
  hardshipDecisionNoticeMessage,
  hardshipNoticeMessage,
} from "~/utils/request-notices.server";
import type { OutboxTemplate } from "./types.server";

const RequestParams = z.object({ request_id: z.uuid() });
const DisputeParams = z.object({ dispute_id: z.uuid() });

export const hardshipReceivedTemplate: OutboxTemplate = {
  render: (message) => hardshipNoticeMessage(RequestParams.parse(message.params).request_id),
};

export const hardshipDecidedTemplate: OutboxTemplate = {
  render: (message) => hardshipDecisionNoticeMessage(RequestParams.parse(message.params).request_id),
};

export const disputeReceivedTemplate: OutboxTemplate = {
  render: (message) => disputeNoticeMessage(DisputeParams.parse(message.params).dispute_id),
};

export const disputeResolvedTemplate: OutboxTemplate = {
  render: (message) => disputeResolutionNoticeMessage(DisputeParams.parse(message.params).dispute_id),
};
