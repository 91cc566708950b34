/**
 * /dev/kit: every UI-kit component in each of its states, and a form the server checks, so a
 * person can see (and test with JavaScript off) how fields, errors and the error summary
 * behave. Local mode and loopback clients only (requireLocalOnly answers 404 otherwise).
 *
 * The form follows the pattern every borrower form uses (STYLE.md "Forms"): one zod schema,
 * `parseWithZod` in the action, `submission.reply()` with 400 on failure, errors in the
 * server's language shown by each field and listed in the ErrorSummary.
 */
import { parseWithZod } from "@conform-to/zod/v4";
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData } from "@remix-run/react";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { Button, ButtonLink } from "~/components/button";
import { Checkbox } from "~/components/checkbox";
import { DatePartsField, type DatePart } from "~/components/date-parts-field";
import { ErrorSummary, type ErrorSummaryItem } from "~/components/error-summary";
import { Money } from "~/components/money";
import { MoneyField } from "~/components/money-field";
import { Page } from "~/components/page";
import { RadioCards } from "~/components/radio-cards";
import { TextField } from "~/components/text-field";
import { parseMoneyInput } from "~/domain/money";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { requireLocalOnly } from "~/utils/local-only.server";

export const handle = { i18n: ["common", "dev"] };

const FREQUENCIES = ["weekly", "biweekly", "monthly"] as const;
const DATE_PARTS: readonly DatePart[] = ["day", "month", "year"];

function kitSchema(t: TFunction<"dev">, today: Date) {
  return z.object({
    intent: z.enum(["save", "check"]).default("save"),
    name: z.string({ error: t("kit.errors.nameRequired") }).trim().min(1, t("kit.errors.nameRequired")),
    email: z.email({ error: t("kit.errors.emailInvalid") }).optional(),
    amount: z
      .string({ error: t("kit.errors.amountRequired") })
      .transform((text, ctx) => {
        const parsed = parseMoneyInput(text);
        if (!parsed.ok) {
          ctx.addIssue({ code: "custom", message: t("kit.errors.amountInvalid") });
          return z.NEVER;
        }
        const minor = parsed.amountMinor;
        if (minor < 2500) {
          ctx.addIssue({ code: "custom", message: t("kit.errors.amountTooSmall") });
          return z.NEVER;
        }
        return minor;
      }),
    dob: z
      .object({ day: z.string().optional(), month: z.string().optional(), year: z.string().optional() })
      .optional()
      .transform((parts, ctx) => {
        const missing = DATE_PARTS.filter((part) => !parts?.[part]);
        const flag = (message: string, which: readonly DatePart[]) => {
          ctx.addIssue({ code: "custom", message });
          // One issue per box too, so the form knows which boxes to mark.
          for (const part of which) ctx.addIssue({ code: "custom", path: [part], message });
          return z.NEVER;
        };
        if (missing.length === 3) return flag(t("kit.errors.dobRequired"), DATE_PARTS);
        if (missing.length > 0) return flag(t("kit.errors.dobIncomplete"), missing);
        const [day, month, year] = DATE_PARTS.map((part) => Number(parts![part]));
        const date = new Date(Date.UTC(year!, month! - 1, day!));
        const real =
          Number.isInteger(day) && Number.isInteger(month) && Number.isInteger(year) && year! >= 1900 &&
          date.getUTCFullYear() === year && date.getUTCMonth() === month! - 1 && date.getUTCDate() === day;
        if (!real) return flag(t("kit.errors.dobInvalid"), DATE_PARTS);
        if (date >= today) return flag(t("kit.errors.dobFuture"), DATE_PARTS);
        return date.toISOString().slice(0, 10);
      }),
    frequency: z.enum(FREQUENCIES, { error: t("kit.errors.frequencyRequired") }),
    agree: z.boolean({ error: t("kit.errors.agreeRequired") }),
  });
}

export async function loader({ request, context }: LoaderFunctionArgs) {
  requireLocalOnly(context);
  const t = await i18nServer.getFixedT(await getLanguage(request), "dev");
  return { title: t("kit.title") };
}

export async function action({ request, context }: ActionFunctionArgs) {
  requireLocalOnly(context);
  const t = await i18nServer.getFixedT(await getLanguage(request), "dev");
  const submission = parseWithZod(await request.formData(), { schema: kitSchema(t, new Date()) });
  if (submission.status !== "success") {
    return data({ result: submission.reply(), received: null }, { status: 400 });
  }
  return { result: submission.reply(), received: submission.value };
}

export const meta: MetaFunction<typeof loader> = ({ data }) =>
  data ? [{ title: data.title }, { name: "robots", content: "noindex" }] : [];

/** The order fields appear in, which is the order the error summary lists them in. */
const FIELD_ORDER = ["name", "email", "amount", "dob", "frequency", "agree"] as const;

export default function Kit() {
  const { t } = useTranslation("dev");
  const actionData = useActionData<typeof action>();
  const errors: Record<string, string[] | null | undefined> = actionData?.result.error ?? {};
  const values = (actionData?.result.initialValue ?? {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === "string" ? value : undefined);
  const dob = (values.dob ?? {}) as Record<string, unknown>;
  const summary: ErrorSummaryItem[] = FIELD_ORDER.flatMap((field) =>
    (errors[field] ?? []).slice(0, 1).map((message) => ({ fieldId: `kit-${field}`, message })),
  );
  const received = actionData?.received;

  return (
    <Page title={t("kit.title")} lead={t("kit.lead")}>
      <h2>{t("kit.sections.form")}</h2>
      <p>{t("kit.form.intro")}</p>
      <ErrorSummary errors={summary} />
      {received ? (
        <Alert tone="success" title={t("kit.form.successTitle")}>
          <p>
            {t("kit.form.intentWas", { intent: received.intent })} <Money amountMinor={received.amount} currency="USD" />,{" "}
            {received.dob}, {t(`kit.form.${received.frequency}`)}.
          </p>
        </Alert>
      ) : null}
      <Form method="post" noValidate className="narrow">
        <TextField
          id="kit-name"
          name="name"
          label={t("kit.form.name")}
          autoComplete="name"
          isRequired
          errors={errors.name}
          defaultValue={text(values.name)}
        />
        <TextField
          id="kit-email"
          name="email"
          type="email"
          inputMode="email"
          autoComplete="email"
          spellCheck="false"
          label={t("kit.form.email")}
          description={t("kit.form.emailDescription")}
          isOptional
          errors={errors.email}
          defaultValue={text(values.email)}
        />
        <MoneyField
          id="kit-amount"
          name="amount"
          currency="USD"
          label={t("kit.form.amount")}
          description={t("kit.form.amountDescription")}
          isRequired
          errors={errors.amount}
          defaultValue={text(values.amount)}
        />
        <DatePartsField
          id="kit-dob"
          name="dob"
          legend={t("kit.form.dob")}
          description={t("kit.form.dobDescription")}
          isBirthday
          isRequired
          errors={errors.dob}
          invalidParts={DATE_PARTS.filter((part) => errors[`dob.${part}`]?.length)}
          defaultValue={{ day: text(dob.day), month: text(dob.month), year: text(dob.year) }}
        />
        <RadioCards
          id="kit-frequency"
          name="frequency"
          label={t("kit.form.frequency")}
          isRequired
          errors={errors.frequency}
          defaultValue={text(values.frequency) ?? null}
          options={FREQUENCIES.map((value) => ({ value, title: t(`kit.form.${value}`), description: t(`kit.form.${value}Description`) }))}
        />
        <Checkbox id="kit-agree" name="agree" isRequired errors={errors.agree} description={t("kit.form.agreeDescription")} defaultSelected={values.agree === "on"}>
          {t("kit.form.agree")}
        </Checkbox>
        <Button type="submit" name="intent" value="save">
          {t("kit.form.submit")}
        </Button>{" "}
        <Button type="submit" name="intent" value="check" variant="secondary">
          {t("kit.form.check")}
        </Button>
      </Form>

      <h2>{t("kit.sections.buttons")}</h2>
      <Button>{t("kit.buttons.primary")}</Button> <Button variant="secondary">{t("kit.buttons.secondary")}</Button>{" "}
      <Button isDisabled>{t("kit.buttons.disabled")}</Button>

      <h2>{t("kit.sections.links")}</h2>
      <ButtonLink to="/dev/kit">{t("kit.links.primary")}</ButtonLink> <ButtonLink to="/" variant="secondary">{t("kit.links.secondary")}</ButtonLink>
      <div className="narrow">
        <ButtonLink to="/dev/kit" variant="option" description={t("kit.links.payDescription")}>
          {t("kit.links.pay")}
        </ButtonLink>
        <ButtonLink to="/dev/kit" variant="option" description={t("kit.links.planDescription")}>
          {t("kit.links.plan")}
        </ButtonLink>
        <ButtonLink to="/dev/kit" variant="option">
          {t("kit.links.contact")}
        </ButtonLink>
      </div>

      <h2>{t("kit.sections.alerts")}</h2>
      <Alert tone="info" title={t("kit.alerts.infoTitle")} live="none">
        <p>{t("kit.alerts.infoBody")}</p>
      </Alert>
      <Alert tone="success" title={t("kit.alerts.successTitle")} live="none">
        <p>{t("kit.alerts.successBody")}</p>
      </Alert>
      <Alert tone="warning" title={t("kit.alerts.warningTitle")} live="none">
        <p>{t("kit.alerts.warningBody")}</p>
      </Alert>
      <Alert tone="error" title={t("kit.alerts.errorTitle")} live="none">
        <p>{t("kit.alerts.errorBody")}</p>
      </Alert>
      <Alert tone="info" live="none">
        <p>{t("kit.alerts.noTitle")}</p>
      </Alert>

      <h2>{t("kit.sections.money")}</h2>
      <ul>
        {[124050, 110000, 9650, 4400, 5, 0, -2500, 123456789].map((amountMinor) => (
          <li key={amountMinor}>
            <code>{amountMinor}</code> → <Money amountMinor={amountMinor} currency="USD" />
          </li>
        ))}
      </ul>

      <h2>{t("kit.sections.fields")}</h2>
      <div className="narrow">
        <TextField id="demo-plain" name="demo-plain" label={t("kit.fields.plain")} description={t("kit.fields.plainDescription")} width="10" />
        <TextField id="demo-filled" name="demo-filled" label={t("kit.fields.filled")} defaultValue="DEMO-1001" width="10" />
        <TextField id="demo-zip" name="demo-zip" label={t("kit.fields.invalid")} inputMode="numeric" autoComplete="postal-code" width="5" defaultValue="941" errors={[t("kit.fields.invalidError")]} />
        <TextField id="demo-disabled" name="demo-disabled" label={t("kit.fields.disabled")} defaultValue="•••• 4242" isDisabled />
        <TextField id="demo-optional" name="demo-optional" label={t("kit.fields.optional")} isOptional width="20" />
        <MoneyField id="demo-money" name="demo-money" currency="USD" label={t("kit.fields.money")} errors={[t("kit.errors.amountTooSmall")]} defaultValue="10" />
        <DatePartsField id="demo-date" name="demo-date" legend={t("kit.fields.date")} defaultValue={{ day: "12", month: "4", year: "1985" }} />
        <RadioCards
          id="demo-radio"
          name="demo-radio"
          label={t("kit.fields.radio")}
          defaultValue="b"
          options={[
            { value: "a", title: t("kit.fields.radioA"), description: t("kit.fields.radioADescription") },
            { value: "b", title: t("kit.fields.radioB") },
            { value: "c", title: t("kit.fields.radioC"), description: t("kit.fields.radioCDescription"), isDisabled: true },
          ]}
        />
        <Checkbox id="demo-check" name="demo-check" defaultSelected>
          {t("kit.fields.checkbox")}
        </Checkbox>
        <Checkbox id="demo-check-disabled" name="demo-check-disabled" isDisabled>
          {t("kit.fields.checkboxDisabled")}
        </Checkbox>
      </div>
    </Page>
  );
}
