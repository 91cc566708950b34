/**
 * `complaint.received` and `complaint.answered` (requested; ADR 014): the acknowledgement of a
 * complaint and its written answer, queued by their audit events (migration
 * 20261128001900_outbox_notices.sql). Params: `{ complaint_id }`. Written in the language the
 * complaint was made in (app/utils/complaints.server.ts).
 */
import { z } from "zod";
import { complaintNoticeMessage } from "~/utils/complaints.server";
import type { OutboxTemplate } from "./types.server";

const Params = z.object({ complaint_id: z.uuid() });

export const complaintReceivedTemplate: OutboxTemplate = {
  render: (message) => complaintNoticeMessage(Params.parse(message.params).complaint_id, "received"),
};

export const complaintAnsweredTemplate: OutboxTemplate = {
  render: (message) => complaintNoticeMessage(Params.parse(message.params).complaint_id, "answered"),
};
