/**
 * How the console words a placement import (issue 8 item 5): its status, counts and
 * problems, translated into the staff member's language (public/locales/<lng>/ops-import.json).
 * Problems are stored as codes with parameters; the words are chosen only when shown or
 * downloaded, so an English report and a Spanish one say the same thing.
 */
import type { TFunction } from "i18next";
import { intlLocale, type Language } from "~/i18n/config";
import type { ImportProblem, PlacementImport } from "~/utils/placement-import.server";

/** One problem in words: "Line 12, email: this is not an email address." */
export function describeProblem(t: TFunction, problem: Pick<ImportProblem, "code" | "column" | "params">): string {
  const params = { ...problem.params, column: problem.column ?? "" };
  const suggested = problem.code === "header_unknown_column" && problem.params.suggestion !== undefined;
  const key = `problems.${problem.code}${suggested ? "_suggestion" : ""}`;
  return t(key, { ...params, defaultValue: t("problems.unknown", { code: problem.code }) });
}

export function formatCount(value: number, language: Language): string {
  return new Intl.NumberFormat(intlLocale(language)).format(value);
}

export function formatInstant(instant: Date, language: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(intlLocale(language), { dateStyle: "medium", timeStyle: "short", timeZone }).format(instant);
}

export function formatDay(iso: string, language: Language): string {
  return new Intl.DateTimeFormat(intlLocale(language), { dateStyle: "medium", timeZone: "UTC" }).format(new Date(`${iso}T00:00:00Z`));
}

export function formatBytes(bytes: number, language: Language): string {
  const units = ["B", "KB", "MB", "GB"] as const;
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${new Intl.NumberFormat(intlLocale(language), { maximumFractionDigits: unit === 0 ? 0 : 1 }).format(value)} ${units[unit]}`;
}

/** What the import page shows of one import. */
export function importView(i: PlacementImport, t: TFunction, language: Language, timeZone: string) {
  const running = i.status === "checking" || i.status === "importing";
  // Rows when known (after the check), else bytes read, as a share of the whole.
  const percent = i.status === "completed" ? 100 : i.rowsTotal ? Math.floor((100 * i.rowsDone) / Math.max(i.rowsTotal, 1)) : i.fileBytes ? Math.floor((100 * i.bytesDone) / i.fileBytes) : 0;
  return {
    id: i.id,
    running,
    status: i.status,
    statusText: t(`status.${i.status}`),
    failure: i.failureCode ? t(`failure.${i.failureCode}`, { defaultValue: t("problems.unknown", { code: i.failureCode }) }) : null,
    creditorName: i.creditorName,
    staffName: i.staffName,
    fileName: i.fileName,
    fileSize: formatBytes(i.fileBytes, language),
    asOf: formatDay(i.asOf, language),
    uploadedAt: formatInstant(i.createdAt, language, timeZone),
    finishedAt: i.finishedAt ? formatInstant(i.finishedAt, language, timeZone) : null,
    encoding: i.encoding,
    sameFileAs: i.sameFileAs,
    percent: Math.min(percent, 100),
    progress: i.rowsTotal === null ? t("progress.checking") : t("progress.rows", { done: formatCount(i.rowsDone, language), total: formatCount(i.rowsTotal, language) }),
    counts: {
      total: i.rowsTotal === null ? null : formatCount(i.rowsTotal, language),
      created: formatCount(i.created, language),
      adjusted: formatCount(i.adjusted, language),
      updated: formatCount(i.updated, language),
      unchanged: formatCount(i.unchanged, language),
      failed: formatCount(i.failed, language),
    },
    failedRows: i.failed,
    errorsRecorded: i.errorsRecorded,
  };
}
export type ImportView = ReturnType<typeof importView>;
