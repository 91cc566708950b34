/**
 * /signed-out: where signing out, and a session that ended on its own, land (issue 4 item 4).
 * `?reason=expired` explains the 15-minute safety sign-out and that the link may still work;
 * `?reason=everywhere` confirms every device is signed out. Any other reason is ignored.
 */
import type { LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { Alert } from "~/components/alert";
import { ButtonLink } from "~/components/button";
import { Page } from "~/components/page";
import { i18nServer } from "~/i18n/i18next.server";
import { pageLanguage } from "~/utils/borrower-request.server";

export const handle = { i18n: ["common", "access"] };

const Reason = z.enum(["expired", "everywhere"]).nullable().catch(null);

export async function loader({ request }: LoaderFunctionArgs) {
  const reason = Reason.parse(new URL(request.url).searchParams.get("reason"));
  const t = await i18nServer.getFixedT(await pageLanguage(request), "access");
  const title = reason === "expired" ? t("signedOut.expiredTitle") : t("signedOut.meta.title");
  return { title, reason };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data?.title ?? "Repay" }, { name: "robots", content: "noindex" }];

export default function SignedOut() {
  const { reason } = useLoaderData<typeof loader>();
  const { t } = useTranslation("access");
  if (reason === "expired") {
    return (
      <Page title={t("signedOut.expiredTitle")} narrow>
        <p className="lead">{t("signedOut.expiredBody")}</p>
        <p>{t("signedOut.expiredLink")}</p>
        <ButtonLink to="/new-link">{t("signedOut.newLink")}</ButtonLink>
        <ButtonLink to="/" variant="secondary">
          {t("signedOut.home")}
        </ButtonLink>
      </Page>
    );
  }
  return (
    <Page title={reason === "everywhere" ? t("signedOut.everywhereTitle") : t("signedOut.title")} narrow>
      <Alert tone="success" live="status">
        <p>{reason === "everywhere" ? t("signedOut.everywhereBody") : t("signedOut.body")}</p>
      </Alert>
      <p>{t("signedOut.again")}</p>
      <ButtonLink to="/new-link" variant="secondary">
        {t("signedOut.newLink")}
      </ButtonLink>
      <ButtonLink to="/" variant="secondary">
        {t("signedOut.home")}
      </ButtonLink>
    </Page>
  );
}
