/**
 * /account/:accountId/my-plan/offer (issue 8 item 3; ADR 010): a counter-offer from staff. It
 * shows what the borrower asked for, why this plan instead (the reason in plain words and the
 * staff member's note), every payment and the total, until when it is open, and the full
 * terms; then "I agree" and "No, thank you".
 *
 * Consent works as on the plan review page (ADR 004): the loader renders the terms as exact
 * lines (app/utils/arrangement-terms.server.ts) and their SHA-256 rides in the form; the
 * action renders them again from the stored offer, today's balance and policy, refuses (400)
 * when the hash differs, and one database call makes the plan with the consent (and queues
 * its written confirmation in the same transaction: the outbox, ADR 014). The offer id
 * travels in the form too and must be this account's latest offer: another borrower's offer
 * is a 404. An expired or answered offer says so, with the ways forward.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { Trans, useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button, ButtonLink } from "~/components/button";
import { Money } from "~/components/money";
import { Page } from "~/components/page";
import { ScheduleList } from "~/components/schedule-list";
import { TermsLines } from "~/components/terms-lines";
import { formatMoney } from "~/domain/money";
import { intlLocale, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { nudgeOutbox } from "~/services/email/outbox-nudge.server";
import { loadArrangementPage, type ArrangementPageContext } from "~/utils/arrangement-page.server";
import { arrangementTerms, type Terms } from "~/utils/arrangement-terms.server";
import { formatCalendarDate, formatInstant } from "~/utils/borrower-format.server";
import { logger } from "~/utils/logger.server";
import { noStore } from "~/utils/no-store";
import { borrowerReasonText } from "~/utils/plan-decision-email.server";
import { offerChoice } from "~/utils/plan-decision-offer";
import { acceptPlanOffer, declinePlanOffer, getAccountPlanOffer, type BorrowerPlanOffer } from "~/utils/plan-decisions.server";

export const headers = noStore;

export const handle = { i18n: ["common", "plan", "offer"] };

const notFound = () => new Response("Not found", { status: 404 });

/** The page's context: the account (404 for anyone else's) and its latest offer; none → My plan. */
async function loadOfferPage(request: Request, accountId: string | undefined) {
  const page = await loadArrangementPage(request, accountId);
  const { offer } = await getAccountPlanOffer(page.session.borrowerId, page.overview.accountId);
  const base = `/account/${page.overview.accountId}`;
  if (!offer || offer.status === "accepted") throw redirect(`${base}/my-plan`, { status: 303 });
  return { page, offer, base };
}

/** The exact terms of accepting this offer, as the plan review page writes them. */
async function offerTerms(page: ArrangementPageContext, offer: BorrowerPlanOffer): Promise<Terms> {
  return arrangementTerms(offerChoice(offer), { ...page.termsAccount, balanceMinor: offer.balanceMinor }, page.policy, page.session.language);
}

async function view(page: ArrangementPageContext, offer: BorrowerPlanOffer) {
  const language: Language = page.session.language;
  const region = page.overview.creditor.region;
  const creditorName = page.overview.creditor.name;
  const [w, terms] = await Promise.all([i18nServer.getFixedT(language, "offer"), offer.status === "open" ? offerTerms(page, offer) : null]);
  const date = (iso: string) => formatCalendarDate(iso, language, region);
  const first = offer.installments[0]!;
  const last = offer.installments[offer.installments.length - 1]!;
  return {
    title: w("meta.title"),
    accountId: page.overview.accountId,
    creditorName,
    currency: offer.currency,
    region,
    offer: {
      id: offer.id,
      status: offer.status,
      totalMinor: offer.totalMinor,
      installments: offer.installments,
      how: w("offered.how", {
        count: offer.installments.length,
        regular: formatMoney(first.amountMinor, offer.currency, intlLocale(language, region)),
        frequency: w(`frequency.${offer.frequency}`),
        first: date(first.dueOn),
        last: date(last.dueOn),
      }),
      openUntil: formatInstant(offer.expiresAt, language, page.overview.creditor.timeZone, region),
      reasonText: borrowerReasonText(w, "countered", offer.reasonCode, offer.note, creditorName),
      note: offer.note,
    },
    asked: {
      kind: offer.request.kind,
      totalMinor: offer.request.totalMinor,
      count: offer.request.installments,
      first: date(offer.request.firstDueOn),
      last: date(offer.request.lastDueOn),
    },
    terms: terms ? { lines: terms.lines, payments: terms.payments, sha256: terms.sha256 } : null,
  };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { page, offer } = await loadOfferPage(request, params.accountId);
  return view(page, offer);
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

const FormSchema = z.discriminatedUnion("intent", [
  z.object({ intent: z.literal("accept"), offer: z.uuid(), terms: z.string().regex(/^[0-9a-f]{64}$/) }),
  z.object({ intent: z.literal("decline"), offer: z.uuid() }),
]);

type Problem = "changed" | "offer_closed" | "offer_expired" | "account_not_open" | "balance_changed" | "arrangement_exists" | "intent";

export async function action({ request, params, context }: ActionFunctionArgs) {
  const { page, offer, base } = await loadOfferPage(request, params.accountId);
  let form: FormData | null = null;
  try {
    form = await request.formData();
  } catch {
    form = null;
  }
  const w = await i18nServer.getFixedT(page.session.language, "offer");
  const problem = async (status: number, reason: Problem) =>
    data(
      { problem: w(`errors.${reason}`, { creditorName: page.overview.creditor.name }), fresh: await view(page, offer) },
      { status, headers: { "Cache-Control": "no-store" } },
    );
  const parsed = FormSchema.safeParse(form ? Object.fromEntries(form) : {});
  if (!parsed.success) return problem(400, "intent");
  // Only this account's latest offer can be answered here: any other id is not found.
  if (parsed.data.offer !== offer.id) throw notFound();
  if (offer.status !== "open") return problem(409, offer.status === "expired" ? "offer_expired" : "offer_closed");

  if (parsed.data.intent === "decline") {
    const result = await declinePlanOffer({ borrowerId: page.session.borrowerId, accountId: page.overview.accountId, offerId: offer.id });
    if (!result.ok) return problem(409, result.reason === "offer_expired" ? "offer_expired" : "offer_closed");
    throw redirect(`${base}/my-plan?offer=declined`, { status: 303 });
  }

  const terms = await offerTerms(page, offer);
  if (parsed.data.terms !== terms.sha256) return problem(400, "changed");
  const result = await acceptPlanOffer({
    borrowerId: page.session.borrowerId,
    accountId: page.overview.accountId,
    offerId: offer.id,
    consent: {
      version: terms.version,
      language: terms.language,
      body: terms.body,
      sha256: terms.sha256,
      ip: context.clientIp || null,
      userAgent: (request.headers.get("User-Agent") ?? "").slice(0, 512) || null,
    },
  });
  if (!result.ok) {
    if (result.reason === "consent_hash_mismatch") return problem(400, "changed");
    logger.warn("plan_offer.refused", { reason: result.reason });
    return problem(409, result.reason);
  }

  // Accepting queued the plan's confirmation (template plan.confirmation): send it now.
  nudgeOutbox();
  throw redirect(`${base}/my-plan?agreed=1&emailed=${result.borrowerEmail ? 1 : 0}`, { status: 303 });
}

export default function CounterOffer() {
  const loaded = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const page = actionData?.fresh ?? loaded;
  const { t } = useTranslation("offer");
  const navigation = useNavigation();
  const busy = navigation.state !== "idle" && navigation.formMethod?.toUpperCase() === "POST";
  const base = `/account/${page.accountId}`;
  const m = (minor: number) => <Money amountMinor={minor} currency={page.currency} region={page.region} />;
  const { offer, asked } = page;
  const open = offer.status === "open" && page.terms;
  const waysForward = (
    <ul className="option-list">
      <li>
        <ButtonLink to={`${base}/plan`} variant="option">
          {t("choose")}
        </ButtonLink>
      </li>
      <li>
        <ButtonLink to={`${base}/help`} variant="option">
          {t("help")}
        </ButtonLink>
      </li>
    </ul>
  );

  return (
    <Page title={t("title")} narrow className="offer">
      {actionData?.problem ? <Alert tone="warning" title={actionData.problem} /> : null}
      {offer.status === "expired" ? (
        <Alert tone="info" title={t("ended.expired")} live="none">
          <p>{t("ended.expiredHint", { date: offer.openUntil })}</p>
        </Alert>
      ) : null}
      {offer.status === "declined" ? (
        <Alert tone="info" title={t("ended.declined")} live="none">
          <p>{t("ended.declinedHint")}</p>
        </Alert>
      ) : null}
      <p className="lead">{t("lead", { creditorName: page.creditorName })}</p>

      <section aria-labelledby="offer-asked">
        <h2 id="offer-asked">{t("asked.heading")}</h2>
        <p>
          <Trans t={t} i18nKey={`asked.${asked.kind}`} values={{ count: asked.count, first: asked.first, last: asked.last }} components={{ amount: m(asked.totalMinor) }} />
        </p>
      </section>

      {offer.reasonText || offer.note ? (
        <section aria-labelledby="offer-why">
          <h2 id="offer-why">{t("why.heading")}</h2>
          {offer.reasonText ? <p>{offer.reasonText}</p> : null}
          {offer.note ? (
            <>
              <h3>{t("why.noteHeading", { creditorName: page.creditorName })}</h3>
              <blockquote>
                {offer.note.split(/\n+/).map((line, index) => (
                  <p key={index}>{line}</p>
                ))}
              </blockquote>
            </>
          ) : null}
        </section>
      ) : null}

      <section aria-labelledby="offer-plan">
        <h2 id="offer-plan">{t("offered.heading")}</h2>
        <p>{offer.how}</p>
        <ScheduleList
          rows={offer.installments}
          currency={page.currency}
          region={page.region}
          caption={t("offered.schedule")}
          dateLabel={t("offered.date")}
          amountLabel={t("offered.amount")}
          showAllLabel={(count) => t("offered.showAll", { count })}
        />
        <p className="owed-total">
          <Trans t={t} i18nKey="offered.total" components={{ amount: m(offer.totalMinor) }} />
        </p>
        {offer.status === "open" ? <p>{t("openUntil", { date: offer.openUntil })}</p> : null}
      </section>

      {open && page.terms ? (
        <>
          <section aria-labelledby="offer-terms" className="terms">
            <h2 id="offer-terms">{t("terms.heading")}</h2>
            <p>{t("terms.lead")}</p>
            <TermsLines lines={page.terms.lines} payments={page.terms.payments} />
          </section>
          <Form method="post" className="stack">
            <input type="hidden" name="offer" value={offer.id} />
            <input type="hidden" name="terms" value={page.terms.sha256} />
            <p>{t("accept.hint")}</p>
            <Button type="submit" name="intent" value="accept" isDisabled={busy}>
              {t("accept.button")}
            </Button>
          </Form>
          <section aria-labelledby="offer-decline" className="after-form">
            <h2 id="offer-decline">{t("decline.heading")}</h2>
            <p>{t("decline.hint")}</p>
            <Form method="post">
              <input type="hidden" name="offer" value={offer.id} />
              <Button type="submit" name="intent" value="decline" variant="secondary" isDisabled={busy}>
                {t("decline.button")}
              </Button>
            </Form>
          </section>
        </>
      ) : (
        waysForward
      )}
      <p>
        <Link to={`${base}/my-plan`}>{t("back")}</Link>
      </p>
    </Page>
  );
}
