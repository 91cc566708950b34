/**
 * sendEmail: the one function the app sends email with (STYLE: one function per capability,
 * React Email rendered to HTML and text, the reply parsed with zod into a result).
 *
 * - Both HTML and plain text are rendered here: Resend does not derive text from HTML, and
 *   some borrowers read mail as text only (STACK.md §6–7).
 * - Every send carries an idempotency key built from our own ids, so a retried job or two
 *   workers at once never email twice (DESIGN §1 item 7; Resend keeps keys for 24 hours).
 * - Logs carry ids and codes only, never addresses, subjects or content.
 */
import { render } from "@react-email/render";
import type { ReactElement } from "react";
import { z } from "zod";
import { getEnv } from "~/utils/env.server";
import { logger } from "~/utils/logger.server";
import { getResend } from "./client.server";

/** The sender when EMAIL_FROM is unset (local mode only: production requires EMAIL_FROM). */
export const LOCAL_EMAIL_FROM = "Repay <no-reply@repay.localhost>";

/**
 * `<kind>/<our ids…>`, as Resend recommends (`<event-type>/<entity-id>`): a kind in
 * lowercase words and at least one id. At most 256 characters (Resend's limit).
 */
const IdempotencyKeySchema = z
  .string()
  .max(256)
  .regex(/^[a-z][a-z0-9-]*\/[A-Za-z0-9._:-]+(?:\/[A-Za-z0-9._:-]+)*$/, "must look like <kind>/<id>[/<id>…], built from our own ids");

/** Builds an idempotency key from our ids: `emailIdempotencyKey("new-link", linkId)` → `new-link/<linkId>`. */
export function emailIdempotencyKey(kind: string, ...ids: Array<string | number>): string {
  return IdempotencyKeySchema.parse([kind, ...ids.map(String)].join("/"));
}

const TagSchema = z.object({
  name: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/),
  value: z.string().regex(/^[A-Za-z0-9_-]{1,256}$/),
});

/**
 * Extra message headers, e.g. List-Unsubscribe on outreach (RFC 8058). Names are header
 * tokens; values are one line (no CR/LF, so no header can be smuggled in).
 */
const HeadersSchema = z.record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/), z.string().min(1).max(2000).regex(/^[^\r\n]*$/));

export type SendEmailInput = {
  to: string | string[];
  subject: string;
  react: ReactElement;
  /** From our ids, e.g. emailIdempotencyKey("new-link", linkId). Required: no key, no send. */
  idempotencyKey: string;
  /** Ids or categories only (Resend shows them in its dashboard); never personal data. */
  tags?: Array<{ name: string; value: string }>;
  /** Extra headers (List-Unsubscribe and List-Unsubscribe-Post on outreach). */
  headers?: Record<string, string>;
};

export type SendEmailResult = { status: "sent"; id: string } | { status: "error"; code: string; message: string };

/** The SDK's reply: `{ data: { id }, error: null }` or `{ data: null, error: { name, message, statusCode } }`. */
const ReplySchema = z.union([
  z.object({ data: z.object({ id: z.string().min(1) }), error: z.null() }),
  z.object({
    data: z.null(),
    error: z.object({ name: z.string(), message: z.string(), statusCode: z.number().nullable().optional() }),
  }),
]);

export async function sendEmail({ to, subject, react, idempotencyKey, tags, headers }: SendEmailInput): Promise<SendEmailResult> {
  const key = IdempotencyKeySchema.parse(idempotencyKey);
  const checkedTags = tags === undefined ? undefined : z.array(TagSchema).parse(tags);
  const checkedHeaders = headers === undefined ? undefined : HeadersSchema.parse(headers);
  const env = getEnv();

  const [html, text] = await Promise.all([render(react), render(react, { plainText: true })]);

  const reply = await getResend().emails.send(
    { from: env.EMAIL_FROM ?? LOCAL_EMAIL_FROM, to, subject, html, text, tags: checkedTags, headers: checkedHeaders },
    { idempotencyKey: key },
  );

  const parsed = ReplySchema.safeParse(reply);
  if (!parsed.success) {
    logger.error("email.unexpected_reply", { idempotencyKey: key });
    return { status: "error", code: "unexpected_reply", message: "The email service gave a reply we could not read." };
  }
  if (parsed.data.error) {
    const { name, message, statusCode } = parsed.data.error;
    logger.warn("email.failed", { idempotencyKey: key, code: name, statusCode: statusCode ?? null });
    return { status: "error", code: name, message };
  }
  logger.info("email.sent", { emailId: parsed.data.data.id, idempotencyKey: key });
  return { status: "sent", id: parsed.data.data.id };
}
