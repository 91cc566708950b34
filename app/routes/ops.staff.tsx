/**
 * /ops/staff (admins only): who may sign in to the console, their role and approval limit
 * (issue 8 item 1). Add a member, change one, or deactivate one (their sessions end at
 * once). Every change is audited with the role, limit and active flag before and after; the
 * last active admin cannot be removed.
 */
import { data, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { Alert } from "~/components/alert";
import { Button } from "~/components/button";
import { Page } from "~/components/page";
import { formatMoney, minorToDecimalString } from "~/domain/money";
import { intlLocale } from "~/i18n/config";
import { getLanguage, i18nServer } from "~/i18n/i18next.server";
import { listStaffMembers, parseStaffMemberForm, saveStaffMember } from "~/utils/staff-members.server";
import { STAFF_ROLES } from "~/utils/ops-lists";
import { requireStaffRole } from "~/utils/staff-session.server";

export const handle = { i18n: ["common", "ops"] };

export async function loader({ request }: LoaderFunctionArgs) {
  const admin = await requireStaffRole(request, ["admin"]);
  const language = await getLanguage(request, null);
  const t = await i18nServer.getFixedT(language, "ops");
  const members = await listStaffMembers(admin);
  return {
    title: t("staff.title"),
    selfId: admin.id,
    members: members.map((m) => ({
      id: m.id,
      email: m.email,
      fullName: m.fullName,
      role: m.role,
      active: m.active,
      limit: minorToDecimalString(m.approvalLimitMinor),
      limitText: formatMoney(m.approvalLimitMinor, "USD", intlLocale(language)),
    })),
  };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }];

export async function action({ request }: ActionFunctionArgs) {
  const admin = await requireStaffRole(request, ["admin"]);
  const t = await i18nServer.getFixedT(await getLanguage(request, null), "ops");
  const form = Object.fromEntries(await request.formData().catch(() => new FormData()));
  const parsed = parseStaffMemberForm(form, t);
  if (!parsed.ok) return data({ ok: false as const, memberId: parsed.memberId, errors: parsed.errors }, { status: 400 });
  const saved = await saveStaffMember(admin, parsed.value);
  if (saved.status !== "ok") {
    return data({ ok: false as const, memberId: parsed.value.memberId, errors: { form: t(`staff.errors.${saved.status}`) } }, { status: saved.status === "not_found" ? 404 : 409 });
  }
  return { ok: true as const, memberId: saved.member.id, message: t("staff.saved", { name: saved.member.fullName }) };
}

type Errors = Partial<Record<"form" | "email" | "fullName" | "role" | "limit", string>>;

function MemberFields({ prefix, member, errors }: { prefix: string; member?: { email: string; fullName: string; role: string; active: boolean; limit: string }; errors?: Errors }) {
  const { t } = useTranslation("ops");
  const field = (name: keyof Errors, label: string, input: JSX.Element) => (
    <div className="field ops-filter">
      <label className="field__label" htmlFor={`${prefix}-${name}`}>
        {label}
      </label>
      {errors?.[name] ? (
        <p className="field-error" id={`${prefix}-${name}-error`}>
          {errors[name]}
        </p>
      ) : null}
      {input}
    </div>
  );
  const described = (name: keyof Errors) => (errors?.[name] ? { "aria-describedby": `${prefix}-${name}-error`, "aria-invalid": true } : {});
  return (
    <>
      {field("fullName", t("staff.fields.name"), <input id={`${prefix}-fullName`} name="fullName" className="input" defaultValue={member?.fullName} autoComplete="off" {...described("fullName")} />)}
      {field("email", t("staff.fields.email"), <input id={`${prefix}-email`} name="email" type="email" className="input" defaultValue={member?.email} autoComplete="off" spellCheck="false" {...described("email")} />)}
      {field(
        "role",
        t("staff.fields.role"),
        <select id={`${prefix}-role`} name="role" className="select" defaultValue={member?.role ?? "agent"} {...described("role")}>
          {STAFF_ROLES.map((role) => (
            <option key={role} value={role}>
              {t(`roles.${role}`)}
            </option>
          ))}
        </select>,
      )}
      {field("limit", t("staff.fields.limit"), <input id={`${prefix}-limit`} name="limit" inputMode="decimal" className="input" defaultValue={member?.limit ?? "0.00"} {...described("limit")} />)}
      <div className="checkbox-line">
        <input id={`${prefix}-active`} name="active" type="checkbox" value="on" defaultChecked={member?.active ?? true} />
        <label htmlFor={`${prefix}-active`}>{t("staff.fields.active")}</label>
      </div>
    </>
  );
}

export default function StaffMembers() {
  const { members } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const { t } = useTranslation("ops");
  const errorsFor = (memberId: string | null) => (result && !result.ok && result.memberId === memberId ? (result.errors as Errors) : undefined);
  return (
    <Page title={t("staff.title")} lead={t("staff.lead")} className="ops-page">
      {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
      {result && !result.ok && (result.errors as Errors).form ? <Alert tone="error">{(result.errors as Errors).form}</Alert> : null}
      <ul className="ops-members">
        {members.map((m) => (
          <li key={m.id}>
            <details open={errorsFor(m.id) !== undefined}>
              <summary>
                <strong>{m.fullName}</strong> · {m.email} · {t(`roles.${m.role}`)} · {m.limitText}
                {m.active ? "" : ` · ${t("staff.inactive")}`}
              </summary>
              <Form method="post" className="ops-form" noValidate>
                <input type="hidden" name="memberId" value={m.id} />
                <MemberFields prefix={`m-${m.id}`} member={m} errors={errorsFor(m.id)} />
                <Button type="submit" variant="secondary" isDisabled={navigation.state === "submitting"}>
                  {t("staff.save")}
                </Button>
              </Form>
            </details>
          </li>
        ))}
      </ul>
      <h2>{t("staff.add")}</h2>
      <Form method="post" className="ops-form" noValidate>
        <MemberFields prefix="new" errors={errorsFor(null)} />
        <Button type="submit">{t("staff.addButton")}</Button>
      </Form>
    </Page>
  );
}
