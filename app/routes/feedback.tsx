/**
 * /feedback?page=<route>: "How did it go?" (issue 9 item 7), linked from every page's footer.
 * A rating of 1 to 5 and, if they like, a few words; signed in or not. The page named in the
 * address is a route name (never a URL with ids). Works without JavaScript.
 */
import { data, redirect, type ActionFunctionArgs, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData } from "@remix-run/react";
import { useTranslation } from "react-i18next";
import { z } from "zod";
import { ErrorSummary } from "~/components/error-summary";
import { Button } from "~/components/button";
import { Page } from "~/components/page";
import { RadioCards } from "~/components/radio-cards";
import { TextArea } from "~/components/text-area";
import { i18nServer } from "~/i18n/i18next.server";
import { pageLanguage } from "~/utils/borrower-request.server";
import { leaveFeedback } from "~/utils/complaints.server";
import { RATINGS } from "~/utils/feedback-lists";
import { getBorrowerSession } from "~/utils/session.server";

export const handle = { i18n: ["common", "feedback"] };

const PageSchema = z.string().regex(/^[a-z][a-z0-9_.-]{0,62}$/).catch("home");

export async function loader({ request }: LoaderFunctionArgs) {
  const search = new URL(request.url).searchParams;
  const t = await i18nServer.getFixedT(await pageLanguage(request), "feedback");
  return { title: t("feedback.title"), page: PageSchema.parse(search.get("page") ?? "home"), thanks: search.get("thanks") === "1" };
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: `${data?.title ?? "Repay"} | Repay` }];

const COMMENT_MAX = 1000;

export async function action({ request, context }: ActionFunctionArgs) {
  const language = await pageLanguage(request);
  const t = await i18nServer.getFixedT(language, "feedback");
  const form = Object.fromEntries(await request.formData().catch(() => new FormData()));
  const rating = z.coerce.number().int().min(1).max(5).safeParse(form.rating);
  const comment = typeof form.comment === "string" ? form.comment.trim() : "";
  const page = PageSchema.parse(form.page);
  const errors: Partial<Record<"rating" | "comment", string>> = {};
  if (!rating.success) errors.rating = t("feedback.errors.rating");
  if (comment.length > COMMENT_MAX) errors.comment = t("feedback.errors.tooLong", { count: comment.length });
  if (!rating.success || errors.comment) {
    return data({ errors, comment: typeof form.comment === "string" ? form.comment.slice(0, 5000) : "" }, { status: 400 });
  }
  const session = await getBorrowerSession(request);
  await leaveFeedback({
    borrowerId: session.status === "ok" ? session.borrowerId : null,
    page,
    rating: rating.data,
    comment: comment || null,
    language,
    clientIp: context.clientIp,
  });
  return redirect(`/feedback?page=${page}&thanks=1`, { status: 303 });
}

export default function Feedback() {
  const { page, thanks } = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const { t } = useTranslation("feedback");
  if (thanks) {
    return (
      <Page title={t("feedback.thanks.title")} narrow>
        <p role="status" className="lead">
          {t("feedback.thanks.body")}
        </p>
        <p>
          <Link to="/complaint">{t("feedback.thanks.complaint")}</Link>
        </p>
        <p>
          <Link to="/account">{t("feedback.thanks.back")}</Link>
        </p>
      </Page>
    );
  }
  const errors = actionData?.errors;
  return (
    <Page title={t("feedback.title")} lead={t("feedback.lead")} narrow>
      {errors ? (
        <ErrorSummary
          errors={[
            ...(errors.rating ? [{ fieldId: "rating", message: errors.rating }] : []),
            ...(errors.comment ? [{ fieldId: "comment", message: errors.comment }] : []),
          ]}
        />
      ) : null}
      <Form method="post" action="/feedback" noValidate>
        <input type="hidden" name="page" value={page} />
        <RadioCards
          name="rating"
          id="rating"
          label={t("feedback.rating")}
          errors={errors?.rating ? [errors.rating] : undefined}
          options={RATINGS.map((value) => ({ value: String(value), title: t(`feedback.ratings.${value}`) }))}
        />
        <TextArea
          id="comment"
          name="comment"
          label={t("feedback.comment")}
          description={t("feedback.commentHint")}
          isOptional
          defaultValue={actionData?.comment}
          errors={errors?.comment ? [errors.comment] : undefined}
        />
        <Button type="submit">{t("feedback.submit")}</Button>
      </Form>
      <p>
        {t("feedback.complaintLead")} <Link to="/complaint">{t("feedback.complaintLink")}</Link>
      </p>
    </Page>
  );
}
