/**
 * The operations console's frame (issue 8, DESIGN §6): a console bar with the signed-in
 * staff member, their role and limit, the sections they may open, and sign out. Pages under
 * /ops render inside it and check the session themselves (requireStaff), so the sign-in
 * pages can share the frame.
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { NavLink, Outlet, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { intlLocale } from "~/i18n/config";
import { getLanguage } from "~/i18n/i18next.server";
import { getStaffSession } from "~/utils/staff-session.server";
import { formatMoney } from "~/domain/money";

export const handle = { i18n: ["common", "ops"] };

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await getStaffSession(request);
  const language = await getLanguage(request, null);
  if (session.status !== "ok") return { staff: null, limit: null };
  const { fullName, role, approvalLimitMinor } = session.staff;
  return { staff: { fullName, role }, limit: formatMoney(approvalLimitMinor, "USD", intlLocale(language)) };
}

export default function OpsLayout() {
  const { staff, limit } = useLoaderData<typeof loader>();
  const { t } = useTranslation("ops");
  return (
    <div className="ops">
      {staff ? (
        <div className="ops-bar">
          <p className="ops-bar__who">
            <strong>{staff.fullName}</strong> · {t(`roles.${staff.role}`)} · {t("bar.limit", { limit })}
          </p>
          <nav aria-label={t("bar.navLabel")}>
            <ul className="ops-bar__nav">
              <li>
                <NavLink to="/ops" end>
                  {t("bar.queue")}
                </NavLink>
              </li>
              <li>
                <NavLink to="/ops/accounts">{t("bar.accounts")}</NavLink>
              </li>
              <li>
                <NavLink to="/ops/metrics">{t("bar.metrics")}</NavLink>
              </li>
              {staff.role !== "agent" ? (
                <>
                  <li>
                    <NavLink to="/ops/import">{t("bar.import")}</NavLink>
                  </li>
                  <li>
                    <NavLink to="/ops/export">{t("bar.export")}</NavLink>
                  </li>
                </>
              ) : null}
              {staff.role === "admin" ? (
                <li>
                  <NavLink to="/ops/staff">{t("bar.staff")}</NavLink>
                </li>
              ) : null}
              <li>
                <form method="post" action="/ops/sign-out">
                  <button type="submit" className="link-button">
                    {t("bar.signOut")}
                  </button>
                </form>
              </li>
            </ul>
          </nav>
        </div>
      ) : null}
      <Outlet />
    </div>
  );
}
