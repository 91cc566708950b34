/**
 * /ops/accounts/:accountId: one account for staff (issue 8 item 4): balance, borrower and
 * contact, open requests, plans, payments, ledger, consents, links and the full audit trail.
 * Opening it is audited. "Send a new link" emails a 30-day link to the address on file;
 * "Copy a link" shows one once (in the action's answer only, never in the page's address or
 * its loader), and both are audited.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Page } from "~/components/page";
import { formatMoney } from "~/domain/money";
import { formatPhoneNumber } from "~/domain/phone";
import { intlLocale } from "~/i18n/config";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { contactHistory } from "~/utils/contact-history.server";
import { getAccountDebtAdviceForStaff } from "~/utils/debt-advice.server";
import { issueLinkForBorrower, staffAccount } from "~/utils/staff-console.server";
import { getVulnerabilityNotes } from "~/utils/vulnerability.server";
import { requireStaff } from "~/utils/staff-session.server";

export const handle = { i18n: ["common", "ops"] };

const ParamsSchema = z.object({ accountId: z.uuid() });

function notFound(): Response {
  return new Response("Not found", { status: 404 });
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const staff = await requireStaff(request);
  const parsed = ParamsSchema.safeParse(params);
  if (!parsed.success) throw notFound();
  const view = await staffAccount(staff, parsed.data.accountId);
  if (!view) throw notFound();
  const language = await getLanguage(request, null);
  const [advice, messages] = await Promise.all([
    getAccountDebtAdviceForStaff(view.account.id),
    contactHistory(staff, view.account.id, { language, timeZone: view.creditor.time_zone }),
  ]);
  const locale = intlLocale(language);
  const money = (minor: number) => formatMoney(minor, view.account.currency, locale);
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short", timeZone: view.creditor.time_zone });
  const day = (iso: string) => new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${iso}T00:00:00Z`));
  const t = await i18nServer.getFixedT(language, "ops");
  const { account, borrower } = view;
  return {
    title: t("account.title", { reference: account.reference }),
    account: {
      id: account.id,
      reference: account.reference,
      product: account.product,
      status: account.status,
      creditorName: view.creditor.name,
      openedOn: day(account.opened_on),
      original: money(account.original_amount_minor),
      dpd: account.dpd ?? 0,
      paused: account.paused,
      balance: {
        principal: money(account.balance.principal_minor),
        interest: money(account.balance.interest_minor),
        fees: money(account.balance.fees_minor),
        total: money(account.balance.total_minor),
      },
    },
    advice: advice
      ? {
          kind: advice.kind,
          active: advice.active,
          organisation: advice.organisation,
          reference: advice.breathingSpaceReference,
          adviser: advice.adviser,
          declared: dateTime.format(advice.declaredAt),
          ends: dateTime.format(advice.endsAt),
        }
      : null,
    hasSharedNotes: view.consents.some((c) => c.kind === "health_data" && c.action === "granted"),
    borrower: { name: borrower.full_name, email: borrower.email, phone: borrower.phone ? formatPhoneNumber(borrower.phone) : null, language: borrower.language, timeZone: borrower.time_zone },
    requests: [
      ...view.arrangements
        .filter((r) => r.status === "pending_review")
        .map((r) => ({ href: `/ops/requests/plan/${r.id}`, kind: "plan" as const, status: r.status, when: dateTime.format(r.created_at) })),
      ...view.hardship_requests.map((h) => ({
        href: `/ops/requests/hardship/${h.id}`,
        kind: "hardship" as const,
        status: h.status,
        when: h.submitted_at ? dateTime.format(h.submitted_at) : "",
      })),
      ...view.disputes.map((d) => ({ href: `/ops/requests/dispute/${d.id}`, kind: "dispute" as const, status: d.status, when: dateTime.format(d.received_at) })),
      ...view.complaints.map((k) => ({ href: `/ops/requests/complaint/${k.id}`, kind: "complaint" as const, status: `${k.reference} · ${k.status}`, when: dateTime.format(k.received_at) })),
    ],
    arrangements: view.arrangements.map((r) => ({
      id: r.id,
      kind: r.kind,
      status: r.status,
      total: money(r.total_minor),
      agreedOn: day(r.agreed_on),
      rules: r.policy_rules,
      atRisk: r.at_risk_since !== null,
      installments: r.installments.map((i) => ({ seq: i.seq, due: day(i.due_on), amount: money(i.amount_minor), paid: money(i.paid_minor), status: i.status })),
    })),
    payments: view.payments.map((p) => ({
      id: p.id,
      when: dateTime.format(p.created_at),
      amount: money(p.amount_minor),
      status: p.status,
      origin: p.origin,
      failure: p.failure_code,
    })),
    ledger: view.ledger.map((l) => ({ id: l.id, on: day(l.effective_on), kind: l.kind, amount: money(l.amount_minor), reason: l.reason_code })),
    consents: view.consents.map((c) => ({ id: c.id, when: dateTime.format(c.created_at), kind: c.kind, action: c.action, version: c.version, language: c.language, hash: c.sha256.slice(0, 12) })),
    links: view.links.map((l) => ({ id: l.id, created: dateTime.format(l.created_at), expires: dateTime.format(l.expires_at), used: l.used_at ? dateTime.format(l.used_at) : null, purpose: l.purpose })),
    messages,
    audit: view.audit.map((e) => ({
      no: e.event_no,
      when: dateTime.format(e.occurred_at),
      who: e.actor_kind === "staff" ? (e.actor_name ?? t("account.audit.staff")) : t(`account.audit.${e.actor_kind}`),
      action: e.action,
      reason: e.reason_code,
      origin: e.origin,
      details: Object.entries(e.metadata)
        .map(([key, value]) => `${key}: ${String(value)}`)
        .join(", "),
    })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }];

const ActionSchema = z.object({ intent: z.enum(["email-link", "copy-link", "show-notes"]) });

export async function action({ request, params }: ActionFunctionArgs) {
  const staff = await requireStaff(request);
  const parsedParams = ParamsSchema.safeParse(params);
  if (!parsedParams.success) throw notFound();
  const t = await i18nServer.getFixedT(await getLanguage(request, null), "ops");
  const form = ActionSchema.safeParse(Object.fromEntries(await request.formData().catch(() => new FormData())));
  if (!form.success) return data({ status: "error" as const, message: t("account.links.invalid") }, { status: 400 });
  if (form.data.intent === "show-notes") {
    // Special category data: read only on purpose, and the read is audited in the database.
    const notes = await getVulnerabilityNotes(staff.id, parsedParams.data.accountId);
    const dateTime = new Intl.DateTimeFormat(intlLocale(await getLanguage(request, null)), { dateStyle: "medium" });
    return data({ status: "notes" as const, notes: notes.map((n) => ({ id: n.requestId, note: n.note, shared: dateTime.format(n.sharedAt) })) }, { headers: { "Cache-Control": "no-store" } });
  }
  const issued = await issueLinkForBorrower(staff, parsedParams.data.accountId, form.data.intent === "email-link" ? "email" : "copy");
  switch (issued.status) {
    case "not_found":
      throw notFound();
    case "no_email":
      return data({ status: "error" as const, message: t("account.links.noEmail") }, { status: 409 });
    case "emailed":
      return { status: "emailed" as const, message: t("account.links.emailed") };
    case "copied":
      return data({ status: "copied" as const, message: t("account.links.copied"), url: issued.url }, { headers: { "Cache-Control": "no-store" } });
  }
}

export default function StaffAccountPage() {
  const view = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const { t } = useTranslation("ops");
  const { account, borrower } = view;
  return (
    <Page title={t("account.title", { reference: account.reference })} lead={`${borrower.name} · ${account.creditorName}`} className="ops-page">
      {account.paused ? <Alert tone="warning">{t("account.paused")}</Alert> : null}
      <div className="ops-columns">
        <section aria-labelledby="balance-heading">
          <h2 id="balance-heading">{t("account.balance.title")}</h2>
          <dl className="facts">
            <div>
              <dt>{t("account.balance.total")}</dt>
              <dd>{account.balance.total}</dd>
            </div>
            <div>
              <dt>{t("account.balance.split")}</dt>
              <dd>{t("account.balance.parts", account.balance)}</dd>
            </div>
            <div>
              <dt>{t("account.balance.original")}</dt>
              <dd>
                {account.original} · {t("account.opened", { date: account.openedOn })}
              </dd>
            </div>
            <div>
              <dt>{t("account.balance.dpd")}</dt>
              <dd>{t("queue.days", { count: account.dpd })}</dd>
            </div>
            <div>
              <dt>{t("account.balance.status")}</dt>
              <dd>{account.status}</dd>
            </div>
          </dl>
        </section>
        <section aria-labelledby="borrower-heading">
          <h2 id="borrower-heading">{t("account.borrower.title")}</h2>
          <dl className="facts">
            <div>
              <dt>{t("account.borrower.email")}</dt>
              <dd className="email-address">{borrower.email ?? t("account.none")}</dd>
            </div>
            <div>
              <dt>{t("account.borrower.phone")}</dt>
              <dd>{borrower.phone ?? t("account.none")}</dd>
            </div>
            <div>
              <dt>{t("account.borrower.language")}</dt>
              <dd>{borrower.language === "es" ? "Español" : "English"}</dd>
            </div>
            <div>
              <dt>{t("account.borrower.timeZone")}</dt>
              <dd>{borrower.timeZone}</dd>
            </div>
          </dl>
          <h3>{t("account.links.title")}</h3>
          {result && result.status !== "notes" ? (
            <Alert tone={result.status === "error" ? "error" : "success"}>
              {result.message}
              {result.status === "copied" ? (
                <>
                  <br />
                  <code className="ops-link">{result.url}</code>
                </>
              ) : null}
            </Alert>
          ) : null}
          <Form method="post" className="ops-actions">
            <Button type="submit" name="intent" value="email-link" variant="secondary" isDisabled={!borrower.email}>
              {t("account.links.email")}
            </Button>
            <Button type="submit" name="intent" value="copy-link" variant="secondary">
              {t("account.links.copy")}
            </Button>
          </Form>
        </section>
      </div>

      <section aria-labelledby="circumstances-heading">
        <h2 id="circumstances-heading">{t("account.circumstances.title")}</h2>
        {view.advice ? (
          <div className="panel">
            <p>
              <strong>{t(`account.circumstances.advice.${view.advice.kind}`)}</strong> · {view.advice.organisation}
              {view.advice.reference ? ` · ${view.advice.reference}` : ""}
            </p>
            <p>{t(view.advice.active ? "account.circumstances.advice.until" : "account.circumstances.advice.ended", { declared: view.advice.declared, ends: view.advice.ends })}</p>
            {view.advice.adviser ? (
              <p>{t("account.circumstances.advice.contact", { contact: [view.advice.adviser.name, view.advice.adviser.phone, view.advice.adviser.email].filter(Boolean).join(" · ") })}</p>
            ) : (
              <p>{t("account.circumstances.advice.noContact")}</p>
            )}
          </div>
        ) : null}
        {result?.status === "notes" ? (
          result.notes.length === 0 ? (
            <p>{t("account.circumstances.none")}</p>
          ) : (
            <ul>
              {result.notes.map((n) => (
                <li key={n.id}>
                  {t("account.circumstances.shared", { date: n.shared })}: {n.note}
                </li>
              ))}
            </ul>
          )
        ) : view.hasSharedNotes ? (
          <Form method="post" className="ops-actions">
            <p>{t("account.circumstances.hint")}</p>
            <Button type="submit" name="intent" value="show-notes" variant="secondary">
              {t("account.circumstances.show")}
            </Button>
          </Form>
        ) : (
          <p>{t("account.circumstances.none")}</p>
        )}
      </section>

      <section aria-labelledby="requests-heading">
        <h2 id="requests-heading">{t("account.requests.title")}</h2>
        {view.requests.length === 0 ? (
          <p>{t("account.requests.none")}</p>
        ) : (
          <ul>
            {view.requests.map((r) => (
              <li key={r.href}>
                <Link to={r.href}>{t(`kinds.${r.kind}`)}</Link> · {r.status} · {r.when}
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="plans-heading">
        <h2 id="plans-heading">{t("account.plans.title")}</h2>
        {view.arrangements.length === 0 ? <p>{t("account.plans.none")}</p> : null}
        {view.arrangements.map((plan) => (
          <details key={plan.id} className="ops-details" open={plan.status === "active" || plan.status === "pending_review"}>
            <summary>
              {t(`account.plans.kind.${plan.kind}`, { defaultValue: plan.kind })} · {plan.status} · {plan.total} · {plan.agreedOn}
              {plan.atRisk ? ` · ${t("account.plans.atRisk")}` : ""}
            </summary>
            {plan.rules.length > 0 ? <p>{t("account.plans.rules", { rules: plan.rules.join(", ") })}</p> : null}
            <table className="ops-table ops-table--compact">
              <caption className="visually-hidden">{t("account.plans.installments")}</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">{t("account.plans.due")}</th>
                  <th scope="col">{t("account.plans.amount")}</th>
                  <th scope="col">{t("account.plans.paid")}</th>
                  <th scope="col">{t("account.plans.status")}</th>
                </tr>
              </thead>
              <tbody>
                {plan.installments.map((i) => (
                  <tr key={i.seq}>
                    <td data-label="#">{i.seq}</td>
                    <td data-label={t("account.plans.due")}>{i.due}</td>
                    <td data-label={t("account.plans.amount")}>{i.amount}</td>
                    <td data-label={t("account.plans.paid")}>{i.paid}</td>
                    <td data-label={t("account.plans.status")}>{i.status}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        ))}
      </section>

      <section aria-labelledby="payments-heading">
        <h2 id="payments-heading">{t("account.payments.title")}</h2>
        {view.payments.length === 0 ? (
          <p>{t("account.payments.none")}</p>
        ) : (
          <table className="ops-table ops-table--compact">
            <caption className="visually-hidden">{t("account.payments.title")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("account.payments.when")}</th>
                <th scope="col">{t("account.payments.amount")}</th>
                <th scope="col">{t("account.payments.status")}</th>
                <th scope="col">{t("account.payments.origin")}</th>
              </tr>
            </thead>
            <tbody>
              {view.payments.map((p) => (
                <tr key={p.id}>
                  <td data-label={t("account.payments.when")}>{p.when}</td>
                  <td data-label={t("account.payments.amount")}>{p.amount}</td>
                  <td data-label={t("account.payments.status")}>
                    {p.status}
                    {p.failure ? ` (${p.failure})` : ""}
                  </td>
                  <td data-label={t("account.payments.origin")}>{p.origin}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="ledger-heading">
        <h2 id="ledger-heading">{t("account.ledger.title")}</h2>
        <table className="ops-table ops-table--compact">
          <caption className="visually-hidden">{t("account.ledger.title")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("account.ledger.on")}</th>
              <th scope="col">{t("account.ledger.kind")}</th>
              <th scope="col">{t("account.ledger.amount")}</th>
              <th scope="col">{t("account.ledger.reason")}</th>
            </tr>
          </thead>
          <tbody>
            {view.ledger.map((l) => (
              <tr key={l.id}>
                <td data-label={t("account.ledger.on")}>{l.on}</td>
                <td data-label={t("account.ledger.kind")}>{l.kind}</td>
                <td data-label={t("account.ledger.amount")}>{l.amount}</td>
                <td data-label={t("account.ledger.reason")}>{l.reason ?? ""}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section aria-labelledby="consents-heading">
        <h2 id="consents-heading">{t("account.consents.title")}</h2>
        {view.consents.length === 0 ? (
          <p>{t("account.consents.none")}</p>
        ) : (
          <ul>
            {view.consents.map((c) => (
              <li key={c.id}>
                {c.when} · {c.kind} · {c.action} · {c.version} ({c.language}) · <code>{c.hash}</code>
              </li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="links-heading">
        <h2 id="links-heading">{t("account.links.issued")}</h2>
        {view.links.length === 0 ? (
          <p>{t("account.links.noneIssued")}</p>
        ) : (
          <ul>
            {view.links.map((l) => (
              <li key={l.id}>{t("account.links.line", { created: l.created, expires: l.expires, purpose: l.purpose, used: l.used ?? t("account.links.unused") })}</li>
            ))}
          </ul>
        )}
      </section>

      <section aria-labelledby="messages-heading">
        <h2 id="messages-heading">{t("account.messages.title")}</h2>
        {view.messages.length === 0 ? (
          <p>{t("account.messages.none")}</p>
        ) : (
          <table className="ops-table ops-table--compact">
            <caption className="visually-hidden">{t("account.messages.caption")}</caption>
            <thead>
              <tr>
                <th scope="col">{t("account.messages.columns.when")}</th>
                <th scope="col">{t("account.messages.columns.what")}</th>
                <th scope="col">{t("account.messages.columns.kind")}</th>
                <th scope="col">{t("account.messages.columns.state")}</th>
                <th scope="col">{t("account.messages.columns.detail")}</th>
              </tr>
            </thead>
            <tbody>
              {view.messages.map((m) => (
                <tr key={m.id}>
                  <td data-label={t("account.messages.columns.when")}>{m.when}</td>
                  <td data-label={t("account.messages.columns.what")}>{m.what}</td>
                  <td data-label={t("account.messages.columns.kind")}>{m.kind}</td>
                  <td data-label={t("account.messages.columns.state")}>{m.stateLabel}</td>
                  <td data-label={t("account.messages.columns.detail")}>{m.detail}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section aria-labelledby="audit-heading">
        <h2 id="audit-heading">{t("account.audit.title")}</h2>
        <ol className="ops-audit">
          {view.audit.map((e) => (
            <li key={e.no}>
              <span className="ops-audit__when">{e.when}</span> <strong>{e.who}</strong> <code>{e.action}</code>
              {e.reason ? ` · ${e.reason}` : ""}
              {e.details ? <span className="ops-audit__details"> · {e.details}</span> : null}
              {e.origin ? <span className="ops-audit__details"> · {t("account.audit.origin", { origin: e.origin })}</span> : null}
            </li>
          ))}
        </ol>
      </section>
    </Page>
  );
}
