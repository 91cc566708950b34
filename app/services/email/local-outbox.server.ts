/**
 * The local stand-in for Resend (DESIGN §4): the real `resend` SDK with its one network
 * method, `fetchRequest`, answered in-process from the database (STACK.md §6: the SDK uses
 * the global fetch and has no fetch option, so a subclass is the seam). The app's code path
 * is identical in production and on a laptop; only this answerer differs.
 *
 * It implements only what the app uses: `POST /emails` (stored in app.local_sent_emails via
 * api.local_email_store) and `GET /emails/:id`. Replies have Resend's shapes and error names
 * (resend.com/docs/api-reference/errors), including its idempotency rules. Nothing leaves
 * the machine. /dev/outbox reads the stored messages through listLocalEmails/getLocalEmail.
 *
 * For tests (local mode only, documented in supabase/migrations/20261128001600_message_outbox.sql):
 * - a message to any address whose local part starts with `fail-provider` is refused with
 *   HTTP 500 `application_error`, as Resend reports its own outages, and nothing is stored;
 * - every POST /emails this process received is counted (localOutboxRequests()), so a test
 *   can tell how many requests the sender made, per idempotency key.
 */
import { Resend, type ErrorResponse, type Response as ResendResponse } from "resend";
import { z } from "zod";
import { rpc, RpcError } from "~/services/supabase/rpc.server";
import { logger } from "~/utils/logger.server";

/** Never a real key: the local client cannot reach Resend even by mistake. */
const LOCAL_API_KEY = "re_local_outbox";

type ResendErrorName = ErrorResponse["name"];

function failure(statusCode: number, name: ResendErrorName, message: string): ResendResponse<never> {
  return { data: null, error: { statusCode, name, message }, headers: { "content-type": "application/json" } };
}

function success<T>(data: T): ResendResponse<T> {
  return { data, error: null, headers: { "content-type": "application/json" } };
}

// --- Request validation, as Resend validates POST /emails -------------------------------

/** `someone@example.com` or `Name <someone@example.com>`, as Resend accepts. */
const ADDRESS = /^(?:[^<>]*<\s*([^<>\s]+)\s*>|([^<>\s]+))$/;
const isAddress = (value: string) => {
  const match = ADDRESS.exec(value.trim());
  const email = match?.[1] ?? match?.[2];
  return email !== undefined && z.email().safeParse(email).success;
};

const addressFormat = "The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.";
const address = (field: string) =>
  z.string({ error: `Invalid \`${field}\` field. ${addressFormat}` }).refine(isAddress, `Invalid \`${field}\` field. ${addressFormat}`);
const addresses = (field: string, max: number) =>
  z.union([address(field), z.array(address(field)).min(1).max(max, `The \`${field}\` field accepts at most ${max} addresses.`)], {
    error: `Invalid \`${field}\` field. ${addressFormat}`,
  });
const tagPart = z.string().regex(/^[A-Za-z0-9_-]{1,256}$/, "Tags may contain only ASCII letters, numbers, underscores and dashes.");

/** Fields Resend accepts that the app does not use: refused, so no one relies on them locally. */
const UNSUPPORTED = ["cc", "bcc", "attachments", "scheduled_at", "template", "topic_id"] as const;

/** Local parts that make the stand-in fail like a provider outage (tests of retries). */
const FAIL_PROVIDER = /^fail-provider/i;

const SendBodySchema = z
  .object({
    from: address("from"),
    to: addresses("to", 50),
    subject: z.string().min(1, "The `subject` field must not be empty."),
    html: z.string().optional(),
    text: z.string().optional(),
    reply_to: addresses("reply_to", 50).optional(),
    tags: z.array(z.object({ name: tagPart, value: tagPart })).optional(),
    headers: z
      .record(z.string().regex(/^[A-Za-z0-9-]{1,64}$/, "Header names may contain only ASCII letters, numbers and dashes."), z.string().max(2000))
      .optional(),
  })
  .refine((body) => body.html !== undefined || body.text !== undefined, "Missing `html` or `text` field.");

const REQUIRED = ["from", "to", "subject"] as const;

const StoredIdSchema = z.object({ id: z.uuid(), created: z.boolean() });

// --- Stored messages, as /dev/outbox and GET /emails/:id read them -----------------------

export const LocalEmailSummarySchema = z.object({
  id: z.uuid(),
  to: z.array(z.string()),
  subject: z.string(),
  created_at: z.string(),
});
export type LocalEmailSummary = z.infer<typeof LocalEmailSummarySchema>;

export const LocalEmailSchema = LocalEmailSummarySchema.extend({
  from: z.string(),
  html: z.string().nullable(),
  text: z.string().nullable(),
  reply_to: z.array(z.string()).nullable(),
  tags: z.array(z.object({ name: z.string(), value: z.string() })),
  idempotency_key: z.string().nullable(),
  headers: z.record(z.string(), z.string()).nullable().default(null),
});
export type LocalEmail = z.infer<typeof LocalEmailSchema>;

/** The newest stored messages first (local mode only). */
export async function listLocalEmails(limit = 100): Promise<LocalEmailSummary[]> {
  return rpc("local_email_list", { p_limit: limit }, z.array(LocalEmailSummarySchema));
}

/** One stored message by the id the stand-in reported, or null. */
export async function getLocalEmail(id: string): Promise<LocalEmail | null> {
  return rpc("local_email_get", { p_id: id }, LocalEmailSchema.nullable());
}

// --- Requests received, per process (for tests) ------------------------------------------

type RequestCounts = { total: number; byIdempotencyKey: Map<string, number> };
const globalCounts = globalThis as unknown as { __repayLocalOutboxRequests?: RequestCounts };

function requestCounts(): RequestCounts {
  globalCounts.__repayLocalOutboxRequests ??= { total: 0, byIdempotencyKey: new Map() };
  return globalCounts.__repayLocalOutboxRequests;
}

/** How many POST /emails this process's stand-in received (accepted, replayed or refused), in all and per idempotency key. */
export function localOutboxRequests(): { total: number; byIdempotencyKey: ReadonlyMap<string, number> } {
  const counts = requestCounts();
  return { total: counts.total, byIdempotencyKey: new Map(counts.byIdempotencyKey) };
}

// --- The SDK subclass --------------------------------------------------------------------

type FetchOptions = { method?: string; headers?: HeadersInit; body?: unknown };

export class LocalOutboxResend extends Resend {
  constructor() {
    // The base URL is never fetched; it only makes any stray log line obviously local.
    super(LOCAL_API_KEY, { baseUrl: "http://outbox.localhost" });
  }

  override async fetchRequest<T>(path: string, options: FetchOptions = {}): Promise<ResendResponse<T>> {
    try {
      return await this.route<T>(path, options);
    } catch (error) {
      // The real SDK never throws for a failed request; it returns an error result. Do the
      // same, so callers handle one shape (the error is logged here, without content).
      logger.error("email.local_outbox.failed", { path: path.split("?")[0], error });
      return failure(500, "internal_server_error", "The local outbox could not store the message.");
    }
  }

  private async route<T>(path: string, options: FetchOptions): Promise<ResendResponse<T>> {
    const method = (options.method ?? "GET").toUpperCase();
    const pathname = path.split("?")[0] ?? path;
    const headers = new Headers(options.headers);

    if (pathname === "/emails") {
      if (method !== "POST") return failure(405, "method_not_allowed", "Method is not allowed for the requested path.");
      return (await this.storeMessage(headers, options.body)) as ResendResponse<T>;
    }
    const single = /^\/emails\/([^/]+)$/.exec(pathname);
    if (single) {
      if (method !== "GET") return failure(405, "method_not_allowed", "Method is not allowed for the requested path.");
      return (await this.readMessage(decodeURIComponent(single[1]!))) as ResendResponse<T>;
    }
    return failure(404, "not_found", "The local outbox implements only POST /emails and GET /emails/:id.");
  }

  private async storeMessage(headers: Headers, rawBody: unknown): Promise<ResendResponse<{ id: string }>> {
    const idempotencyKey = headers.get("idempotency-key");
    const counts = requestCounts();
    counts.total += 1;
    if (idempotencyKey !== null) counts.byIdempotencyKey.set(idempotencyKey, (counts.byIdempotencyKey.get(idempotencyKey) ?? 0) + 1);
    if (idempotencyKey !== null && (idempotencyKey.length < 1 || idempotencyKey.length > 256)) {
      return failure(400, "invalid_idempotency_key", "The key must be between 1-256 chars.");
    }

    let body: unknown;
    try {
      body = typeof rawBody === "string" ? JSON.parse(rawBody) : undefined;
    } catch {
      return failure(400, "validation_error", "The request body is not valid JSON.");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      return failure(400, "validation_error", "The request body must be a JSON object.");
    }
    const record = body as Record<string, unknown>;
    const missing = REQUIRED.filter((field) => record[field] === undefined || record[field] === null);
    if (missing.length > 0) {
      return failure(422, "missing_required_field", `Missing ${missing.map((f) => `\`${f}\``).join(", ")} field.`);
    }
    const unsupported = UNSUPPORTED.filter((field) => record[field] !== undefined && record[field] !== null);
    if (unsupported.length > 0) {
      return failure(422, "validation_error", `The local outbox does not support ${unsupported.map((f) => `\`${f}\``).join(", ")}.`);
    }
    const parsed = SendBodySchema.safeParse(body);
    if (!parsed.success) {
      return failure(422, "validation_error", parsed.error.issues[0]?.message ?? "We found an error with one or more fields in the request.");
    }

    const message = parsed.data;
    const list = (value: string | string[] | undefined) => (value === undefined ? null : Array.isArray(value) ? value : [value]);
    const recipients = list(message.to) ?? [];
    if (recipients.some((to) => FAIL_PROVIDER.test((ADDRESS.exec(to.trim())?.[1] ?? to).trim()))) {
      return failure(500, "application_error", "The local outbox was asked to fail for this recipient (fail-provider…).");
    }
    try {
      const stored = await rpc(
        "local_email_store",
        {
          p_from: message.from,
          p_to: list(message.to),
          p_subject: message.subject,
          p_html: message.html ?? null,
          p_text: message.text ?? null,
          p_reply_to: list(message.reply_to),
          p_tags: message.tags ?? [],
          p_idempotency_key: idempotencyKey,
          p_headers: message.headers === undefined || Object.keys(message.headers).length === 0 ? null : message.headers,
        },
        StoredIdSchema,
      );
      return success({ id: stored.id });
    } catch (error) {
      if (error instanceof RpcError && error.code === "PT409") {
        return error.hint === "concurrent_idempotent_requests"
          ? failure(409, "concurrent_idempotent_requests", "Same idempotency key used while original request is still in progress.")
          : failure(409, "invalid_idempotent_request", "Same idempotency key used with a different request payload.");
      }
      throw error;
    }
  }

  private async readMessage(id: string) {
    if (!z.uuid().safeParse(id).success) return failure(422, "validation_error", "The `id` must be a valid UUID.");
    const email = await getLocalEmail(id);
    if (!email) return failure(404, "not_found", "Email not found.");
    return success({
      object: "email" as const,
      id: email.id,
      message_id: `<${email.id}@outbox.localhost>`,
      from: email.from,
      to: email.to,
      cc: null,
      bcc: null,
      reply_to: email.reply_to,
      subject: email.subject,
      html: email.html,
      text: email.text,
      tags: email.tags,
      created_at: email.created_at,
      scheduled_at: null,
      last_event: "delivered" as const,
    });
  }
}

// --- For /dev/outbox loaders -----------------------------------------------------------

/** The stored message for a route's `$id`, or a thrown 404 (not a UUID, or no such message). */
export async function requireLocalEmail(id: string | undefined): Promise<LocalEmail> {
  const parsed = z.uuid().safeParse(id);
  if (!parsed.success) throw new Response("Not found", { status: 404 });
  const email = await getLocalEmail(parsed.data);
  if (!email) throw new Response("Not found", { status: 404 });
  return email;
}
