/**
 * Feedback and complaints (issue 9 item 7, ADR 013). Feedback is a rating and optional words
 * about a page, from anyone. A complaint is from a signed-in borrower: it gets a reference,
 * an acknowledgement email, a due time, a place in the console's queue, and a written answer
 * by email. The database checks everything again; this parses what comes back. The two
 * emails go through the outbox (ADR 014): the complaint's audit event queues them in the same
 * transaction (migration 20261128001900_outbox_notices.sql), complaintNoticeMessage renders
 * them when they go, and the request nudges the sender once it has its answer.
 */
import { z } from "zod";
import { type Language } from "~/i18n/config";
import { getEmailT } from "~/services/email/t.server";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";
import { isRpcError, rpc } from "~/services/supabase/rpc.server";
import { formatCalendarDate, dayIn } from "~/utils/borrower-format.server";
import { hashClientIp } from "~/utils/client-ip.server";
import { getEnv } from "~/utils/env.server";
import { COMPLAINT_CATEGORIES, type ComplaintCategory } from "~/utils/feedback-lists";
import { emailContactLine, NoticeCreditorWithZoneSchema, type OutboxRendered } from "~/utils/outbox-templates/types.server";
import type { Staff } from "~/utils/staff-session.server";
import { complaintAnsweredEmail, complaintReceivedEmail } from "~emails/complaint";

const Timestamp = z.coerce.date();

export const ComplaintSchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  account_id: z.uuid().nullable(),
  category: z.enum(COMPLAINT_CATEGORIES),
  details: z.string(),
  language: z.enum(["en", "es"]),
  status: z.enum(["received", "under_review", "resolved"]),
  due_at: Timestamp,
  received_at: Timestamp,
  review_started_at: Timestamp.nullable(),
  resolved_at: Timestamp.nullable(),
  outcome: z.enum(["upheld", "partly_upheld", "not_upheld"]).nullable(),
  response: z.string().nullable(),
});
export type Complaint = z.output<typeof ComplaintSchema>;

const CreditorSchema = NoticeCreditorWithZoneSchema;

// ---------------------------------------------------------------------------------------
// Feedback

export async function leaveFeedback(input: {
  borrowerId: string | null;
  page: string;
  rating: number;
  comment: string | null;
  language: Language;
  clientIp: string;
}): Promise<{ stored: boolean }> {
  return rpc(
    "leave_feedback",
    {
      p_borrower_id: input.borrowerId,
      p_page: input.page,
      p_rating: input.rating,
      p_comment: input.comment,
      p_language: input.language,
      p_ip_hash: hashClientIp(input.clientIp),
    },
    z.object({ stored: z.boolean() }),
  );
}

// ---------------------------------------------------------------------------------------
// Complaints

/** "December 13, 2026": the last day we answer by, in the borrower's language. */
export function answerByText(dueAt: Date, timeZone: string, language: Language): string {
  return formatCalendarDate(dayIn(new Date(dueAt.getTime() - 1), timeZone), language);
}

const MadeSchema = z.object({
  outcome: z.enum(["made", "duplicate"]),
  complaint: ComplaintSchema,
  email: z.string().nullable(),
  creditor: CreditorSchema,
});

export type MakeComplaintResult = { status: "made" | "duplicate"; complaint: Complaint; answerBy: string } | { status: "account_not_found" };

/** Records the complaint (which queues its acknowledgement the first time) and nudges the sender. */
export async function makeComplaint(input: {
  borrowerId: string;
  accountId: string | null;
  category: ComplaintCategory;
  details: string;
  language: Language;
}): Promise<MakeComplaintResult> {
  let made: z.output<typeof MadeSchema>;
  try {
    made = await rpc(
      "make_complaint",
      { p_borrower_id: input.borrowerId, p_account_id: input.accountId, p_category: input.category, p_details: input.details, p_language: input.language },
      MadeSchema,
    );
  } catch (error) {
    if (isRpcError(error, "business") && error.hint === "account_not_found") return { status: "account_not_found" };
    throw error;
  }
  const { complaint, creditor } = made;
  const answerBy = answerByText(complaint.due_at, creditor.time_zone, complaint.language);
  // The acknowledgement was queued with the complaint; send it now.
  if (made.outcome === "made") nudgeOutbox();
  return { status: made.outcome, complaint, answerBy };
}

/** The borrower's complaints, newest first, each with its creditor's time zone (for dates). */
export async function borrowerComplaints(borrowerId: string): Promise<Array<Complaint & { time_zone: string }>> {
  return rpc("borrower_complaints", { p_borrower_id: borrowerId }, z.array(ComplaintSchema.extend({ time_zone: z.string() })));
}

// ---------------------------------------------------------------------------------------
// Staff

const StaffComplaintSchema = ComplaintSchema.extend({
  borrower_name: z.string(),
  account_reference: z.string().nullable(),
  resolved_by_name: z.string().nullable(),
});
export type StaffComplaint = z.output<typeof StaffComplaintSchema>;

export async function staffComplaint(staff: Staff, complaintId: string): Promise<StaffComplaint | null> {
  try {
    return await rpc("staff_complaint", { p_staff_id: staff.id, p_complaint_id: complaintId }, StaffComplaintSchema);
  } catch (error) {
    if (isRpcError(error, "business") && error.hint === "complaint_not_found") return null;
    throw error;
  }
}

export const COMPLAINT_OUTCOMES = ["upheld", "partly_upheld", "not_upheld"] as const;

const ResolvedSchema = ComplaintSchema.extend({ email: z.string().nullable(), creditor: CreditorSchema });

/** Answers a complaint once (which queues the answer's email) and nudges the sender; `already_resolved` for the second of two. */
export async function resolveComplaint(
  staff: Staff,
  complaintId: string,
  outcome: (typeof COMPLAINT_OUTCOMES)[number],
  response: string,
): Promise<{ status: "resolved"; complaint: Complaint } | { status: "already_resolved" | "not_found" }> {
  let resolved: z.output<typeof ResolvedSchema>;
  try {
    resolved = await rpc("staff_resolve_complaint", { p_staff_id: staff.id, p_complaint_id: complaintId, p_outcome: outcome, p_response: response }, ResolvedSchema);
  } catch (error) {
    if (isRpcError(error, "business") && error.hint === "complaint_resolved") return { status: "already_resolved" };
    if (isRpcError(error, "business") && error.hint === "complaint_not_found") return { status: "not_found" };
    throw error;
  }
  const { email: _email, creditor: _creditor, ...complaint } = resolved;
  // The answer was queued with it; send it now.
  nudgeOutbox();
  return { status: "resolved", complaint };
}

// ---------------------------------------------------------------------------------------
// The emails (outbox templates `complaint.received` and `complaint.answered`)

const NoticeSchema = ComplaintSchema.extend({ creditor: CreditorSchema }).nullable();

/**
 * The acknowledgement of a complaint, or its answer, as it stands when the message goes, in
 * the language the complaint was made in; null when it no longer applies (no such complaint,
 * or no answer yet).
 */
export async function complaintNoticeMessage(complaintId: string, which: "received" | "answered"): Promise<OutboxRendered | null> {
  const notice = await rpc("complaint_notice", { p_complaint_id: z.uuid().parse(complaintId) }, NoticeSchema);
  if (!notice) return null;
  const { creditor, ...complaint } = notice;
  const env = getEnv();
  const common = {
    t: await getEmailT(complaint.language),
    lang: complaint.language,
    appUrl: env.APP_URL,
    creditorName: creditor.name,
    creditorContact: emailContactLine(creditor),
    reference: complaint.reference,
    pageUrl: `${env.APP_URL}/complaint`,
  };
  if (which === "received") {
    return complaintReceivedEmail({ ...common, answerByText: answerByText(complaint.due_at, creditor.time_zone, complaint.language) });
  }
  if (complaint.status !== "resolved" || !complaint.outcome || complaint.response === null) return null;
  return complaintAnsweredEmail({ ...common, outcome: complaint.outcome, response: complaint.response, regulator: creditor.region === "US" ? "cfpb" : null });
}
