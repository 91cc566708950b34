/**
 * /account/:accountId/plan, the simulator (issue 5 items 3–4, DESIGN §5 item 4): choose a
 * payment plan (an amount or a number of payments, how often, the first date), a settlement
 * (when the policy offers one) or a promise to pay on a date; see every payment, the total,
 * the last date, and in one sentence whether it starts at once, needs review (and by when), or
 * is outside the creditor's rules and why. A comparison with paying in full and settling, and
 * an optional "can I afford it" check.
 *
 * With JavaScript off it is a GET form: the loader evaluates the choice and renders the page.
 * With it on, the same `evaluateChoice` runs in the browser on every keystroke. Nothing here
 * changes anything: "Review and agree" leads to /plan/review, which does.
 */
import { redirect, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useLoaderData } from "@remix-run/react";
import { useMemo, useState, useSyncExternalStore, type ReactNode } from "react";
import { Trans, useTranslation } from "react-i18next";
import { Alert } from "~/components/alert";
import { Button, ButtonLink } from "~/components/button";
import { ErrorSummary } from "~/components/error-summary";
import { ErrorLines } from "~/components/field";
import { MoneyField } from "~/components/money-field";
import { Money } from "~/components/money";
import { Page } from "~/components/page";
import { RadioCards } from "~/components/radio-cards";
import { ScheduleList } from "~/components/schedule-list";
import { TextField } from "~/components/text-field";
import { checkAffordability } from "~/domain/affordability";
import {
  CHOICE_FIELDS,
  choiceSearchParams,
  defaultChoiceValues,
  evaluateChoice,
  latestStartDate,
  readChoiceValues,
  settlementOfferBps,
  startDateOptions,
  SETTLEMENT_MONTHS,
  type ArrangementKind,
  type ChoiceContext,
  type ChoiceErrors,
  type ChoiceField,
  type ChoiceResult,
  type ChoiceValues,
  type EvaluatedChoice,
} from "~/domain/arrangement-choice";
import { formatMoney, parseMoneyInput } from "~/domain/money";
import { MAX_INSTALLMENTS } from "~/domain/schedule";
import { fallbackLanguage, intlLocale, isLanguage, type Language } from "~/i18n/config";
import { i18nServer } from "~/i18n/i18next.server";
import { loadArrangementPage } from "~/utils/arrangement-page.server";
import { formatDate } from "~/utils/calendar-format";
import { noStore } from "~/utils/no-store";

export const headers = noStore;

export const handle = { i18n: ["common", "plan"] };

export async function loader({ request, params }: LoaderFunctionArgs) {
  const page = await loadArrangementPage(request, params.accountId, { withArrangement: true });
  const accountPath = `/account/${page.overview.accountId}`;
  if (!page.choiceContext) throw redirect(accountPath, { status: 303 });
  const existing = page.arrangement;
  if (existing && (existing.status === "active" || existing.status === "pending_review")) {
    throw redirect(`${accountPath}/my-plan`, { status: 303 });
  }
  const url = new URL(request.url);
  // A first visit (or a tab link, which names only the kind) shows the defaults and no
  // errors; a submitted form shows its own values, and what it left out keeps the defaults.
  const defaults = defaultChoiceValues(page.choiceContext);
  const read = readChoiceValues(url.searchParams);
  const present = CHOICE_FIELDS.filter((field) => field !== "kind" && url.searchParams.has(field));
  const submitted = present.length > 0;
  const values: ChoiceValues = { ...defaults, kind: read.kind || defaults.kind };
  for (const field of present) values[field] = read[field];
  const afford = { income: (url.searchParams.get("income") ?? "").slice(0, 40), costs: (url.searchParams.get("costs") ?? "").slice(0, 40) };
  const t = await i18nServer.getFixedT(page.session.language, "plan");
  return {
    title: t("simulator.meta.title"),
    accountId: page.overview.accountId,
    creditorName: page.overview.creditor.name,
    currency: page.overview.currency,
    region: page.overview.creditor.region,
    context: page.choiceContext,
    submitted,
    values,
    afford,
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

/** True once React runs in the browser: live updates replace the "Show my plan" button. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    () => () => {},
    () => true,
    () => false,
  );
}

function errorMessage(t: (key: string, options?: Record<string, unknown>) => string, field: ChoiceField, problem: string, words: Record<string, string>): string {
  if (problem === "empty") return t(field === "count" ? "simulator.errors.countEmpty" : field === "start" ? "simulator.errors.startEmpty" : "simulator.errors.empty");
  return t(`simulator.errors.${problem}`, words);
}

const FIELD_ORDER: ChoiceField[] = ["amount", "count", "frequency", "start", "payments"];

export default function PlanSimulator() {
  const data = useLoaderData<typeof loader>();
  const { t, i18n } = useTranslation("plan");
  const language: Language = isLanguage(i18n.language) ? i18n.language : fallbackLanguage;
  const hydrated = useHydrated();
  const [values, setValues] = useState<ChoiceValues>(data.values);
  const [afford, setAfford] = useState(data.afford);
  // Errors show for what the borrower has touched, or everything after a (no-JS) submit.
  const [touched, setTouched] = useState<Partial<Record<ChoiceField, boolean>>>({});
  const context = data.context as ChoiceContext;
  const result = useMemo(() => evaluateChoice(values, context), [values, context]);
  const kind = result.kind;
  const locale = intlLocale(language, data.region);
  const money = (minor: number) => formatMoney(minor, data.currency, locale);
  const latest = latestStartDate(context);
  const words = {
    minimum: money(context.policy.minimumPaymentMinor),
    balance: money(context.balanceMinor),
    latest: formatDate(latest, language, data.region),
    months: String(SETTLEMENT_MONTHS),
    max: String(MAX_INSTALLMENTS),
  };
  const set = (field: ChoiceField) => (value: string) => {
    setValues((current) => ({ ...current, [field]: value }));
    setTouched((current) => ({ ...current, [field]: true }));
  };
  const visibleErrors: ChoiceErrors = {};
  if (!result.ok) {
    for (const field of FIELD_ORDER) {
      const problem = result.errors[field];
      if (!problem) continue;
      // Live: an empty box is not an error until the borrower has typed in it.
      if (data.submitted && !hydrated) visibleErrors[field] = problem;
      else if (touched[field] && !(problem === "empty" && values[field] === "")) visibleErrors[field] = problem;
      else if (data.submitted && !touched[field] && values[field] !== "") visibleErrors[field] = problem;
    }
  }
  const fieldErrors = (field: ChoiceField) => {
    const problem = visibleErrors[field];
    return problem ? [errorMessage(t, field, problem, words)] : undefined;
  };
  const summaryItems = FIELD_ORDER.filter((field) => visibleErrors[field]).map((field) => ({
    fieldId: `choice-${field}`,
    message: errorMessage(t, field, visibleErrors[field]!, words),
  }));
  const base = `/account/${data.accountId}`;
  const offerBps = settlementOfferBps(context.policy);
  const kinds: ArrangementKind[] = offerBps > 0 ? ["plan", "settlement", "promise"] : ["plan", "promise"];

  return (
    <Page title={t("simulator.title")} className="simulator">
      {!hydrated && data.submitted ? <ErrorSummary errors={summaryItems} /> : null}
      <p className="lead">
        <Trans
          t={t}
          i18nKey="simulator.lead"
          values={{ creditorName: data.creditorName }}
          components={{ amount: <Money amountMinor={context.balanceMinor} currency={data.currency} region={data.region} /> }}
        />
      </p>

      <nav aria-label={t("simulator.kinds.label")} className="tabs">
        <ul>
          {kinds.map((option) => (
            <li key={option}>
              <Link
                to={`?kind=${option}`}
                aria-current={option === kind ? "page" : undefined}
                className="tabs__link"
                preventScrollReset
                onClick={(event) => {
                  if (!hydrated) return;
                  event.preventDefault();
                  setValues((current) => ({ ...current, kind: option }));
                  setTouched({});
                }}
              >
                {t(`simulator.kinds.${option}`)}
              </Link>
            </li>
          ))}
        </ul>
      </nav>

      <p>{t(`simulator.intro.${kind}`, { creditorName: data.creditorName, months: SETTLEMENT_MONTHS })}</p>

      <Form method="get" className="stack" preventScrollReset onSubmit={(event) => hydrated && event.preventDefault()}>
        <input type="hidden" name="kind" value={kind} />
        {kind === "plan" ? (
          <PlanFields values={values} set={set} fieldErrors={fieldErrors} words={words} currency={data.currency} region={data.region} hydrated={hydrated} context={context} />
        ) : null}
        {kind === "settlement" ? (
          <SettlementFields values={values} set={set} fieldErrors={fieldErrors} context={context} region={data.region} words={words} money={money} offerBps={offerBps} />
        ) : null}
        {kind === "promise" ? (
          <>
            <MoneyField
              id="choice-amount"
              name="amount"
              label={t("simulator.amount.promiseLabel")}
              description={t("simulator.amount.promiseHint", words)}
              currency={data.currency}
              region={data.region}
              value={values.amount}
              onChange={set("amount")}
              errors={fieldErrors("amount")}
            />
            <StartSelect label={t("simulator.start.promiseLabel")} values={values} set={set} fieldErrors={fieldErrors} context={context} region={data.region} words={words} />
          </>
        ) : null}
        {kind === "plan" ? <AffordFields afford={afford} setAfford={setAfford} currency={data.currency} region={data.region} /> : null}
        {hydrated ? null : (
          <Button type="submit" variant="secondary">
            {kind === "promise" ? t("simulator.showPromise") : t("simulator.show")}
          </Button>
        )}
      </Form>

      {/* Screen readers hear one short sentence as the plan changes, not the whole table. */}
      <p className="visually-hidden" aria-live="polite">
        {hydrated && result.ok ? `${t(`simulator.result.summary.${result.kind}`, { count: result.installments.length, lastDate: formatDate(result.lastDueOn, language, data.region) })} ${t("simulator.result.liveTotal", { total: money(result.totalMinor) })}` : ""}
      </p>
      <div className="simulator__result">
        {result.ok ? (
          <Result
            result={result}
            creditorName={data.creditorName}
            currency={data.currency}
            region={data.region}
            context={context}
            words={words}
            afford={kind === "plan" ? afford : null}
            reviewHref={`${base}/plan/review?${choiceSearchParams(values).toString()}`}
            helpHref={`${base}/help`}
          />
        ) : null}
      </div>

      <p>
        <Link to={base}>{t("myPlan.back")}</Link>
      </p>
    </Page>
  );
}

type Setter = (field: ChoiceField) => (value: string) => void;
type FieldErrorsFor = (field: ChoiceField) => string[] | undefined;

function PlanFields({
  values,
  set,
  fieldErrors,
  words,
  currency,
  region,
  hydrated,
  context,
}: {
  values: ChoiceValues;
  set: Setter;
  fieldErrors: FieldErrorsFor;
  words: Record<string, string>;
  currency: string;
  region: string;
  hydrated: boolean;
  context: ChoiceContext;
}) {
  const { t } = useTranslation("plan");
  const byCount = values.by === "count";
  return (
    <>
      <RadioCards
        id="choice-by"
        name="by"
        label={t("simulator.by.label")}
        value={byCount ? "count" : "amount"}
        onChange={set("by")}
        options={[
          { value: "amount", title: t("simulator.by.amount") },
          { value: "count", title: t("simulator.by.count") },
        ]}
      />
      {!hydrated || !byCount ? (
        <MoneyField
          id="choice-amount"
          name="amount"
          label={t("simulator.amount.label")}
          description={t("simulator.amount.hint", words)}
          currency={currency}
          region={region}
          value={values.amount}
          onChange={set("amount")}
          errors={fieldErrors("amount")}
        />
      ) : null}
      {!hydrated || byCount ? (
        <CountField value={values.count} onChange={set("count")} errors={fieldErrors("count")} />
      ) : null}
      <RadioCards
        id="choice-frequency"
        name="frequency"
        label={t("simulator.frequency.label")}
        value={values.frequency}
        onChange={set("frequency")}
        errors={fieldErrors("frequency")}
        options={context.policy.frequencies.map((frequency) => ({ value: frequency, title: t(`simulator.frequency.${frequency}`) }))}
      />
      <StartSelect label={t("simulator.start.label")} values={values} set={set} fieldErrors={fieldErrors} context={context} region={region} words={words} />
    </>
  );
}

function CountField({ value, onChange, errors }: { value: string; onChange: (value: string) => void; errors?: string[] }) {
  const { t } = useTranslation("plan");
  return (
    <TextField
      id="choice-count"
      name="count"
      label={t("simulator.count.label")}
      description={t("simulator.count.hint")}
      inputMode="numeric"
      autoComplete="off"
      width="4"
      value={value}
      onChange={onChange}
      errors={errors}
    />
  );
}

/**
 * The first payment date as a native select: every allowed day is listed, so nobody has to
 * type a date, it works without JavaScript, and the phone shows its own picker.
 */
function StartSelect({
  label,
  values,
  set,
  fieldErrors,
  context,
  region,
  words,
}: {
  label: string;
  values: ChoiceValues;
  set: Setter;
  fieldErrors: FieldErrorsFor;
  context: ChoiceContext;
  region: string;
  words: Record<string, string>;
}) {
  const { t, i18n } = useTranslation("plan");
  const language: Language = isLanguage(i18n.language) ? i18n.language : fallbackLanguage;
  const errors = fieldErrors("start");
  const options = startDateOptions(context);
  return (
    <div className="field" data-invalid={errors ? true : undefined}>
      <label htmlFor="choice-start" className="field__label">
        {label}
      </label>
      <div className="field__description" id="choice-start-hint">
        {t("simulator.start.hint", words)}
      </div>
      {errors ? (
        <div className="field-error" id="choice-start-error">
          <ErrorLines errors={errors} />
        </div>
      ) : null}
      <select
        id="choice-start"
        name="start"
        className="select"
        value={options.includes(values.start) ? values.start : ""}
        onChange={(event) => set("start")(event.target.value)}
        aria-describedby={errors ? "choice-start-hint choice-start-error" : "choice-start-hint"}
        aria-invalid={errors ? true : undefined}
      >
        {options.includes(values.start) ? null : <option value="">{"—"}</option>}
        {options.map((date) => (
          <option key={date} value={date}>
            {formatDate(date, language, region, "weekday")}
          </option>
        ))}
      </select>
    </div>
  );
}

function SettlementFields({
  values,
  set,
  fieldErrors,
  context,
  region,
  words,
  money,
  offerBps,
}: {
  values: ChoiceValues;
  set: Setter;
  fieldErrors: FieldErrorsFor;
  context: ChoiceContext;
  region: string;
  words: Record<string, string>;
  money: (minor: number) => string;
  offerBps: number;
}) {
  const { t, i18n } = useTranslation("plan");
  const discount = Number((BigInt(context.balanceMinor) * BigInt(offerBps)) / 10_000n);
  const percent = new Intl.NumberFormat(i18n.language, { style: "percent", maximumFractionDigits: 2 }).format(offerBps / 10_000);
  return (
    <>
      <p className="offer">
        <Trans
          t={t}
          i18nKey="simulator.settlementOffer"
          values={{ percent }}
          components={{ settlement: <strong>{money(context.balanceMinor - discount)}</strong>, balance: <span>{money(context.balanceMinor)}</span>, discount: <span>{money(discount)}</span> }}
        />
      </p>
      <RadioCards
        id="choice-payments"
        name="payments"
        label={t("simulator.payments.label")}
        value={values.payments}
        onChange={set("payments")}
        errors={fieldErrors("payments")}
        options={[
          { value: "1", title: t("simulator.payments.one") },
          { value: "2", title: t("simulator.payments.two") },
          { value: "3", title: t("simulator.payments.three") },
        ]}
      />
      <StartSelect label={t("simulator.start.label")} values={values} set={set} fieldErrors={fieldErrors} context={context} region={region} words={words} />
    </>
  );
}

function AffordFields({
  afford,
  setAfford,
  currency,
  region,
}: {
  afford: { income: string; costs: string };
  setAfford: (value: { income: string; costs: string }) => void;
  currency: string;
  region: string;
}) {
  const { t } = useTranslation("plan");
  const open = afford.income !== "" || afford.costs !== "";
  return (
    <details className="afford" open={open || undefined}>
      <summary>{t("simulator.afford.title")}</summary>
      <p>{t("simulator.afford.lead")}</p>
      <MoneyField
        id="afford-income"
        name="income"
        label={t("simulator.afford.income")}
        description={t("simulator.afford.incomeHint")}
        currency={currency}
        region={region}
        autoComplete="off"
        value={afford.income}
        onChange={(income) => setAfford({ ...afford, income })}
        errors={afford.income !== "" && !parseMoneyInput(afford.income).ok ? [t("simulator.errors.incomeInvalid")] : undefined}
      />
      <MoneyField
        id="afford-costs"
        name="costs"
        label={t("simulator.afford.costs")}
        description={t("simulator.afford.costsHint")}
        currency={currency}
        region={region}
        autoComplete="off"
        value={afford.costs}
        onChange={(costs) => setAfford({ ...afford, costs })}
        errors={afford.costs !== "" && !parseMoneyInput(afford.costs).ok ? [t("simulator.errors.incomeInvalid")] : undefined}
      />
    </details>
  );
}

function Result({
  result,
  creditorName,
  currency,
  region,
  context,
  words,
  afford,
  reviewHref,
  helpHref,
}: {
  result: EvaluatedChoice;
  creditorName: string;
  currency: string;
  region: string;
  context: ChoiceContext;
  words: Record<string, string>;
  afford: { income: string; costs: string } | null;
  reviewHref: string;
  helpHref: string;
}) {
  const { t, i18n } = useTranslation("plan");
  const language: Language = isLanguage(i18n.language) ? i18n.language : fallbackLanguage;
  const m = (minor: number) => <Money amountMinor={minor} currency={currency} region={region} />;
  const date = (iso: string) => formatDate(iso, language, region);
  const verdict = result.verdict;
  const count = result.installments.length;

  return (
    <section aria-labelledby="result-title" className="result">
      <h2 id="result-title">{t("simulator.result.title")}</h2>
      {verdict.verdict === "auto_approve" ? (
        <Alert tone="success" live="none">
          <p>{t("simulator.verdict.auto_approve", { creditorName })}</p>
        </Alert>
      ) : verdict.verdict === "needs_review" ? (
        <Alert tone="info" live="none">
          <p>
            {t("simulator.verdict.needs_review", {
              creditorName,
              months: context.policy.autoApproveLongestPlanMonths,
              date: result.reviewDueOn ? date(result.reviewDueOn) : "",
            })}
          </p>
        </Alert>
      ) : (
        <Alert tone="warning" live="none">
          <p>{t("simulator.verdict.outside_policy", { creditorName })}</p>
          <ul>
            {verdict.rules
              .filter((rule) => rule !== "plan_longer_than_auto_approve" && rule !== "discount_above_auto_approve")
              .map((rule) => (
                <li key={rule}>
                  {t(`simulator.verdict.rules.${rule}`, {
                    ...words,
                    creditorName,
                    months: context.policy.longestPlanMonths,
                    lastDate: date(result.lastDueOn),
                  })}
                </li>
              ))}
          </ul>
        </Alert>
      )}

      <p className="result__summary">{t(`simulator.result.summary.${result.kind}`, { count, lastDate: date(result.lastDueOn) })}</p>
      {result.kind !== "promise" && count > 1 ? (
        <p>
          <Trans t={t} i18nKey="simulator.result.regular" components={{ amount: m(result.regularMinor) }} />
          {result.lastMinor !== result.regularMinor ? (
            <>
              {" "}
              <Trans t={t} i18nKey="simulator.result.last" components={{ amount: m(result.lastMinor) }} />
            </>
          ) : null}
        </p>
      ) : null}
      <p className="result__total">
        <Trans t={t} i18nKey="simulator.result.total" components={{ amount: m(result.totalMinor) }} />
      </p>
      {result.kind === "promise" && result.remainingAfterMinor > 0 ? (
        <p>
          <Trans t={t} i18nKey="simulator.result.remaining" components={{ amount: m(result.remainingAfterMinor) }} />
        </p>
      ) : null}
      {result.kind === "settlement" ? (
        <p>
          <Trans t={t} i18nKey="simulator.result.settled" components={{ amount: m(result.totalMinor) }} />
        </p>
      ) : null}

      <ScheduleList
        rows={result.installments}
        currency={currency}
        region={region}
        caption={t("simulator.result.schedule")}
        dateLabel={t("simulator.result.date")}
        amountLabel={t("simulator.result.amount")}
        showAllLabel={(n) => t("simulator.result.showAll", { count: n })}
      />

      {afford ? <Affordability result={result} afford={afford} currency={currency} region={region} helpHref={helpHref} /> : null}

      {verdict.verdict === "outside_policy" ? null : <ButtonLink to={reviewHref}>{t("simulator.result.continue")}</ButtonLink>}

      {result.kind === "plan" ? <Compare result={result} context={context} currency={currency} region={region} /> : null}
    </section>
  );
}

function Affordability({
  result,
  afford,
  currency,
  region,
  helpHref,
}: {
  result: EvaluatedChoice;
  afford: { income: string; costs: string };
  currency: string;
  region: string;
  helpHref: string;
}) {
  const { t } = useTranslation("plan");
  const income = parseMoneyInput(afford.income);
  const costs = parseMoneyInput(afford.costs);
  if (!income.ok || !costs.ok || !result.frequency) return null;
  const check = checkAffordability({
    incomeMinor: income.amountMinor,
    essentialCostsMinor: costs.amountMinor,
    regularPaymentMinor: result.regularMinor,
    frequency: result.frequency,
  });
  const m = (minor: number) => <Money amountMinor={minor} currency={currency} region={region} />;
  const help: ReactNode = (
    <p>
      <Link to={helpHref}>{t("simulator.afford.help")}</Link>
    </p>
  );
  if (check.affordable) {
    return (
      <p className="afford-result">
        <Trans t={t} i18nKey="simulator.afford.fits" components={{ monthly: m(check.monthlyPaymentMinor), left: m(check.leftOverMinor) }} />
      </p>
    );
  }
  return (
    <Alert tone="info" live="none" className="afford-result">
      {check.leftOverMinor > 0 ? (
        <>
          <p>
            <Trans t={t} i18nKey="simulator.afford.tight" components={{ monthly: m(check.monthlyPaymentMinor), left: m(check.leftOverMinor) }} />
          </p>
          {check.suggestedPaymentMinor ? (
            <p>
              <Trans t={t} i18nKey="simulator.afford.suggest" components={{ amount: m(check.suggestedPaymentMinor) }} />
            </p>
          ) : null}
        </>
      ) : (
        <p>{t("simulator.afford.nothingLeft")}</p>
      )}
      {help}
    </Alert>
  );
}

/** Paying in full, this plan, and settling (when offered), side by side. */
function Compare({ result, context, currency, region }: { result: EvaluatedChoice; context: ChoiceContext; currency: string; region: string }) {
  const { t, i18n } = useTranslation("plan");
  const language: Language = isLanguage(i18n.language) ? i18n.language : fallbackLanguage;
  const m = (minor: number) => <Money amountMinor={minor} currency={currency} region={region} />;
  const settlement: ChoiceResult | null =
    settlementOfferBps(context.policy) > 0
      ? evaluateChoice({ ...result.values, kind: "settlement", payments: "1", start: result.firstDueOn }, context)
      : null;
  return (
    <table className="compare">
      <caption>{t("simulator.compare.caption")}</caption>
      <thead>
        <tr>
          <th scope="col">{t("simulator.compare.option")}</th>
          <th scope="col">{t("simulator.compare.total")}</th>
          <th scope="col">{t("simulator.compare.ends")}</th>
        </tr>
      </thead>
      <tbody>
        <tr>
          <th scope="row">{t("simulator.compare.full")}</th>
          <td>{m(context.balanceMinor)}</td>
          <td>{t("simulator.compare.today")}</td>
        </tr>
        <tr>
          <th scope="row">{t("simulator.compare.plan")}</th>
          <td>{m(result.totalMinor)}</td>
          <td>{formatDate(result.lastDueOn, language, region, "medium")}</td>
        </tr>
        {settlement?.ok ? (
          <tr>
            <th scope="row">{t("simulator.compare.settlement", { payments: t("simulator.payments.one") })}</th>
            <td>
              {m(settlement.totalMinor)}
              <br />
              <Trans t={t} i18nKey="simulator.compare.saves" components={{ amount: m(settlement.discountMinor) }} />
            </td>
            <td>{formatDate(settlement.lastDueOn, language, region, "medium")}</td>
          </tr>
        ) : null}
      </tbody>
    </table>
  );
}

