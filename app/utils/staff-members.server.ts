/**
 * Managing who may use the console (admins; issue 8 item 1): the list, and one save for
 * adding or changing a member. The form is parsed here with zod; the database checks the
 * admin's role again and keeps at least one active admin.
 */
import type { TFunction } from "i18next";
import { z } from "zod";
import { parseMoneyInput } from "~/domain/money";
import { isRpcError, rpc } from "~/services/supabase/rpc.server";
import { STAFF_ROLES, StaffEmailSchema, StaffRowSchema, type Staff } from "~/utils/staff-session.server";

export type StaffMember = z.output<typeof StaffRowSchema>;

export async function listStaffMembers(admin: Staff): Promise<StaffMember[]> {
  return rpc("staff_members", { p_staff_id: admin.id }, z.array(StaffRowSchema));
}

export type StaffMemberInput = {
  memberId: string | null;
  email: string;
  fullName: string;
  role: (typeof STAFF_ROLES)[number];
  approvalLimitMinor: number;
  active: boolean;
};

type FieldErrors = Partial<Record<"form" | "email" | "fullName" | "role" | "limit", string>>;

/** The add/change form: every field checked, each error in words on its field. */
export function parseStaffMemberForm(
  form: Record<string, FormDataEntryValue>,
  t: TFunction,
): { ok: true; value: StaffMemberInput } | { ok: false; memberId: string | null; errors: FieldErrors } {
  const memberId = z.uuid().safeParse(form.memberId);
  const errors: FieldErrors = {};
  if (form.memberId !== undefined && !memberId.success) errors.form = t("staff.errors.invalid");
  const email = StaffEmailSchema.safeParse(typeof form.email === "string" ? form.email : "");
  if (!email.success) errors.email = t("staff.errors.email");
  const fullName = z.string().trim().min(1).max(200).safeParse(typeof form.fullName === "string" ? form.fullName : "");
  if (!fullName.success) errors.fullName = t("staff.errors.name");
  const role = z.enum(STAFF_ROLES).safeParse(form.role);
  if (!role.success) errors.role = t("staff.errors.role");
  const limit = parseMoneyInput(typeof form.limit === "string" ? form.limit : "", { maxMinor: 1_000_000_000_000 });
  if (!limit.ok) errors.limit = t("staff.errors.limit");
  const active = form.active === undefined || form.active === "on" ? form.active === "on" : null;
  if (active === null) errors.form = t("staff.errors.invalid");
  if (Object.keys(errors).length > 0 || !email.success || !fullName.success || !role.success || !limit.ok || active === null) {
    return { ok: false, memberId: memberId.success ? memberId.data : null, errors };
  }
  return {
    ok: true,
    value: {
      memberId: memberId.success ? memberId.data : null,
      email: email.data,
      fullName: fullName.data,
      role: role.data,
      approvalLimitMinor: limit.amountMinor,
      active,
    },
  };
}

export async function saveStaffMember(
  admin: Staff,
  input: StaffMemberInput,
): Promise<{ status: "ok"; member: StaffMember } | { status: "email_taken" | "last_admin" | "not_found" }> {
  try {
    const member = await rpc(
      "save_staff_member",
      {
        p_admin_id: admin.id,
        p_member_id: input.memberId,
        p_email: input.email,
        p_full_name: input.fullName,
        p_role: input.role,
        p_approval_limit_minor: input.approvalLimitMinor,
        p_active: input.active,
      },
      StaffRowSchema,
    );
    return { status: "ok", member };
  } catch (error) {
    if (isRpcError(error, "business")) {
      if (error.hint === "staff_email_taken") return { status: "email_taken" };
      if (error.hint === "last_admin") return { status: "last_admin" };
      if (error.hint === "staff_not_found") return { status: "not_found" };
    }
    throw error;
  }
}
