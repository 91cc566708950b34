import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { fallbackLanguage, isLanguage } from "~/i18n/config";
import { formatDate } from "~/utils/calendar-format";
import { Money } from "./money";

export interface ScheduleRow {
  dueOn: string;
  amountMinor: number;
  /** Shown after the amount, e.g. "Paid" or "moved from Dec 28". */
  note?: ReactNode;
}

export interface ScheduleListProps {
  rows: readonly ScheduleRow[];
  currency: string;
  region: string;
  /** The table's caption (visible), e.g. "Payment dates". */
  caption: ReactNode;
  /** Column headings. */
  dateLabel: string;
  amountLabel: string;
  /** With more rows than this, the first few and the last show, the rest behind "Show all". */
  collapseAfter?: number;
  /** "Show all 52 payments". */
  showAllLabel?: (count: number) => string;
}

/**
 * A schedule of payments as a two-column table (date, amount). Long schedules show the first
 * three and the last, with the whole table behind a `<details>` ("Show all 52 payments"),
 * which opens without JavaScript.
 */
export function ScheduleList({ rows, currency, region, caption, dateLabel, amountLabel, collapseAfter = 8, showAllLabel }: ScheduleListProps) {
  const { i18n } = useTranslation();
  const language = isLanguage(i18n.language) ? i18n.language : fallbackLanguage;
  const table = (visible: readonly ScheduleRow[], withCaption: boolean) => (
    <table className="schedule">
      {withCaption ? <caption>{caption}</caption> : null}
      <thead>
        <tr>
          <th scope="col">{dateLabel}</th>
          <th scope="col" className="schedule__amount">
            {amountLabel}
          </th>
        </tr>
      </thead>
      <tbody>
        {visible.map((row, index) => (
          <tr key={`${row.dueOn}-${index}`}>
            <td>{formatDate(row.dueOn, language, region, "medium")}</td>
            <td className="schedule__amount">
              <Money amountMinor={row.amountMinor} currency={currency} region={region} />
              {row.note ? <span className="schedule__note"> {row.note}</span> : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
  if (rows.length <= collapseAfter || !showAllLabel) return table(rows, true);
  const last = rows[rows.length - 1]!;
  return (
    <>
      {table([...rows.slice(0, 3), last], true)}
      <details className="schedule-all">
        <summary>{showAllLabel(rows.length)}</summary>
        {table(rows, false)}
      </details>
    </>
  );
}
