/**
 * Getting debt advice (issue 7 item 3; ADR 008): typed wrappers of the `api.*` functions in
 * supabase/migrations/20261128000800_debt_advice.sql, the words of the consent to contact the
 * borrower's adviser (hashed like every consent), and the short panel the help page and the
 * overview show. Refusals the borrower can act on come back as `{ ok: false, reason }`;
 * another borrower's account or declaration is a thrown 404 Response.
 */
import { z } from "zod";
import type { Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { rpc } from "~/services/supabase/rpc.server";
import { orNotFound, requireUuid, withReasons } from "~/utils/accounts.server";
import { termsFromLines, type Terms } from "~/utils/arrangement-terms.server";
import { dayIn, formatCalendarDate } from "~/utils/borrower-format.server";
import { consentArg, type ConsentInput } from "~/utils/consent.server";
import { DEBT_ADVICE_KINDS, type DebtAdviceKind } from "~/utils/debt-advice";

export * from "~/utils/debt-advice";

const Uuid = z.uuid();
const Instant = z.coerce.date();

/** The version of the consent's words; a change of wording is a new version. */
export const ADVISER_CONTACT_CONSENT_VERSION = "adviser-contact.v1";

/** The exact words of the consent to contact the borrower's adviser. */
export async function adviserContactTerms(creditorName: string, language: Language): Promise<Terms> {
  const t = await i18nServer.getFixedT(language, "advice");
  return termsFromLines(ADVISER_CONTACT_CONSENT_VERSION, language, [
    t("consent.line1", { creditorName }),
    t("consent.line2", { creditorName }),
    t("consent.line3", { creditorName }),
  ]);
}

const AdviserSchema = z
  .object({ name: z.string().nullable(), phone: z.string().nullable(), email: z.string().nullable() })
  .nullable();

const DeclarationFields = {
  id: Uuid,
  account_id: Uuid,
  kind: z.enum(DEBT_ADVICE_KINDS),
  organisation: z.string(),
  breathing_space_reference: z.string().nullable(),
  adviser: AdviserSchema,
  status: z.enum(["active", "ended"]),
  active: z.boolean(),
  end_reason: z.enum(["borrower_ended", "pause_ended"]).nullable(),
  declared_at: Instant,
  ends_at: Instant,
  ended_at: Instant.nullable(),
};

type RawDeclaration = z.output<z.ZodObject<typeof DeclarationFields>>;

function camel(d: RawDeclaration) {
  return {
    id: d.id,
    accountId: d.account_id,
    kind: d.kind,
    organisation: d.organisation,
    breathingSpaceReference: d.breathing_space_reference,
    /** Null unless the borrower's consent to contact the adviser stands. */
    adviser: d.adviser,
    status: d.status,
    /** True while collection is paused by it (false once its end has come). */
    active: d.active,
    endReason: d.end_reason,
    declaredAt: d.declared_at,
    /** The end of the pause: midnight at the start of day 61 in the creditor's zone. */
    endsAt: d.ends_at,
    endedAt: d.ended_at,
  };
}

const DeclarationSchema = z.object(DeclarationFields).transform(camel);
export type DebtAdviceDeclaration = z.output<typeof DeclarationSchema>;

/** The account's active declaration, else its latest, else null. */
export async function getDebtAdvice(borrowerId: string, accountId: string): Promise<DebtAdviceDeclaration | null> {
  const account = requireUuid(accountId);
  return orNotFound(() => rpc("borrower_debt_advice", { p_borrower_id: Uuid.parse(borrowerId), p_account_id: account }, DeclarationSchema.nullable()));
}

export const DECLARE_REFUSALS = [
  "account_not_open",
  "declaration_open",
  "invalid_declaration",
  "breathing_space_not_available",
  "invalid_consent",
  "consent_hash_mismatch",
] as const;
export type DeclareRefusal = (typeof DECLARE_REFUSALS)[number];

export interface DeclareDebtAdviceInput {
  borrowerId: string;
  accountId: string;
  kind: DebtAdviceKind;
  organisation: string;
  reference: string | null;
  /** With its consent only. */
  adviser: { name: string | null; phone: string | null; email: string | null; consent: ConsentInput } | null;
}

const DeclareResultSchema = z.object({ outcome: z.enum(["declared", "duplicate"]), declaration: DeclarationSchema });

/** Declares it and pauses collection for 60 days; the same declaration again answers `duplicate`. */
export async function declareDebtAdvice(
  input: DeclareDebtAdviceInput,
): Promise<{ ok: true; outcome: "declared" | "duplicate"; declaration: DebtAdviceDeclaration } | { ok: false; reason: DeclareRefusal }> {
  const account = requireUuid(input.accountId);
  const result = await withReasons(DECLARE_REFUSALS, () =>
    rpc(
      "declare_debt_advice",
      {
        p_borrower_id: Uuid.parse(input.borrowerId),
        p_account_id: account,
        p_kind: input.kind,
        p_organisation: input.organisation,
        p_breathing_space_reference: input.reference,
        p_adviser_name: input.adviser?.name ?? null,
        p_adviser_phone: input.adviser?.phone ?? null,
        p_adviser_email: input.adviser?.email ?? null,
        p_consent: input.adviser ? consentArg(input.adviser.consent) : null,
      },
      DeclareResultSchema,
    ),
  );
  return result.ok ? { ok: true, outcome: result.value.outcome, declaration: result.value.declaration } : result;
}

const EndResultSchema = z.object({ outcome: z.enum(["ended", "already_ended"]), declaration: DeclarationSchema });

/** "I'm no longer working with an adviser": collection resumes, the adviser's details are erased. */
export async function endDebtAdvice(borrowerId: string, declarationId: string): Promise<{ outcome: "ended" | "already_ended"; declaration: DebtAdviceDeclaration }> {
  const id = requireUuid(declarationId);
  return orNotFound(() => rpc("end_debt_advice", { p_borrower_id: Uuid.parse(borrowerId), p_declaration_id: id }, EndResultSchema));
}

/** Stops us contacting the adviser: the consent is withdrawn and their details erased. */
export async function withdrawAdviserContact(borrowerId: string, declarationId: string): Promise<DebtAdviceDeclaration> {
  const id = requireUuid(declarationId);
  return orNotFound(() => rpc("withdraw_adviser_contact", { p_borrower_id: Uuid.parse(borrowerId), p_declaration_id: id }, DeclarationSchema));
}

// ---------------------------------------------------------------------------------------
// Staff (the console calls this)

const StaffDeclarationSchema = z
  .object({
    ...DeclarationFields,
    borrower_id: Uuid,
    pause_id: Uuid,
    contact_consent: z.object({ id: Uuid, granted_at: Instant, text_version: z.string(), language: z.string() }).nullable(),
  })
  .transform((d) => ({
    ...camel(d),
    borrowerId: d.borrower_id,
    pauseId: d.pause_id,
    /** The consent to contact the adviser, while it stands (then `adviser` is set). */
    contactConsent: d.contact_consent
      ? { id: d.contact_consent.id, grantedAt: d.contact_consent.granted_at, textVersion: d.contact_consent.text_version, language: d.contact_consent.language }
      : null,
  }));
export type StaffDebtAdviceDeclaration = z.output<typeof StaffDeclarationSchema>;

/**
 * For staff: the account's active declaration, else its latest, else null; the adviser's
 * contact only while the borrower's consent to contact them stands. 404 for an unknown account.
 */
export async function getAccountDebtAdviceForStaff(accountId: string): Promise<StaffDebtAdviceDeclaration | null> {
  const account = requireUuid(accountId);
  return orNotFound(() => rpc("account_debt_advice", { p_account_id: account }, StaffDeclarationSchema.nullable()));
}

// ---------------------------------------------------------------------------------------
// Dates and the short panel

/** The last day collection is paused (day 60), YYYY-MM-DD in the creditor's zone. */
export function pausedUntilDay(declaration: Pick<DebtAdviceDeclaration, "endsAt">, timeZone: string): string {
  return dayIn(new Date(declaration.endsAt.getTime() - 1), timeZone);
}

/** YYYY-MM-DD plus whole days (calendar arithmetic in UTC, no time-zone drift). */
export function addDaysIso(iso: string, days: number): string {
  const [y, m, d] = iso.split("-").map(Number);
  return new Date(Date.UTC(y!, m! - 1, d! + days)).toISOString().slice(0, 10);
}

/** What the help page and the overview show about debt advice, already in the borrower's words. */
export interface DebtAdvicePanel {
  active: boolean;
  title: string;
  lines: string[];
  link: { href: string; text: string };
}

export async function debtAdvicePanel(
  declaration: DebtAdviceDeclaration | null,
  page: { accountId: string; language: Language; region: string; timeZone: string },
): Promise<DebtAdvicePanel> {
  const t = await i18nServer.getFixedT(page.language, "advice");
  const href = `/account/${page.accountId}/help/adviser`;
  if (declaration?.active) {
    const date = formatCalendarDate(pausedUntilDay(declaration, page.timeZone), page.language, page.region);
    return {
      active: true,
      title: t("panel.activeTitle"),
      lines: [t(`panel.told.${declaration.kind}`, { organisation: declaration.organisation }), t("panel.pausedUntil", { date })],
      link: { href, text: t("panel.see") },
    };
  }
  return { active: false, title: t("panel.title"), lines: [t("panel.body")], link: { href, text: t("panel.start") } };
}

/** The panel for one of the borrower's accounts (reads the declaration; 404 for anyone else's). */
export async function loadDebtAdvicePanel(
  borrowerId: string,
  overview: { accountId: string; creditor: { region: string; timeZone: string } },
  language: Language,
): Promise<DebtAdvicePanel> {
  const declaration = await getDebtAdvice(borrowerId, overview.accountId);
  return debtAdvicePanel(declaration, { accountId: overview.accountId, language, region: overview.creditor.region, timeZone: overview.creditor.timeZone });
}
