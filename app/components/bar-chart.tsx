/**
 * A small bar chart drawn as SVG on the server (no chart library, no JavaScript): one bar
 * per label, a value over each bar, "–" where there is nothing to count. The picture is
 * hidden from screen readers; the same numbers follow in a table anyone can read, so the
 * chart never carries information alone.
 */
import { useId } from "react";

export type BarDatum = { label: string; value: number | null; text: string };

export interface BarChartProps {
  title: string;
  /** What the numbers mean, in one sentence. */
  description: string;
  data: BarDatum[];
  /** The top of the scale; defaults to the largest value (100 for percentages is clearer). */
  max?: number;
  /** Column headings of the table under the chart. */
  labelHeading: string;
  valueHeading: string;
  /** The words that open the table ("The numbers"). */
  tableSummary: string;
}

const HEIGHT = 120;
const BAR = 34;
const GAP = 8;

export function BarChart({ title, description, data, max, labelHeading, valueHeading, tableSummary }: BarChartProps) {
  const id = useId();
  const top = max ?? Math.max(1, ...data.map((d) => d.value ?? 0));
  const width = data.length * (BAR + GAP) + GAP;
  return (
    <figure className="bar-chart" aria-labelledby={`${id}-title`}>
      <figcaption>
        <h3 id={`${id}-title`} className="bar-chart__title">
          {title}
        </h3>
        <p className="bar-chart__description">{description}</p>
      </figcaption>
      <svg className="bar-chart__svg" width={width} height={HEIGHT + 24} viewBox={`0 0 ${width} ${HEIGHT + 24}`} aria-hidden="true" focusable="false" preserveAspectRatio="xMinYMin meet">
        <line x1="0" x2={width} y1={HEIGHT + 0.5} y2={HEIGHT + 0.5} className="bar-chart__axis" />
        {data.map((d, index) => {
          const x = GAP + index * (BAR + GAP);
          const h = d.value === null ? 0 : Math.max(1, Math.round((Math.min(d.value, top) / top) * (HEIGHT - 18)));
          return (
            <g key={d.label}>
              {d.value === null ? null : <rect x={x} y={HEIGHT - h} width={BAR} height={h} className="bar-chart__bar" />}
              <text x={x + BAR / 2} y={HEIGHT - h - 4} textAnchor="middle" className="bar-chart__value">
                {d.value === null ? "–" : d.text}
              </text>
              <text x={x + BAR / 2} y={HEIGHT + 16} textAnchor="middle" className="bar-chart__label">
                {d.label}
              </text>
            </g>
          );
        })}
      </svg>
      <details className="bar-chart__numbers">
        <summary>{tableSummary}</summary>
        <table className="ops-table ops-table--compact bar-chart__table">
        <thead>
          <tr>
            <th scope="col">{labelHeading}</th>
            <th scope="col">{valueHeading}</th>
          </tr>
        </thead>
        <tbody>
          {data.map((d) => (
            <tr key={d.label}>
              <td data-label={labelHeading}>{d.label}</td>
              <td data-label={valueHeading}>{d.value === null ? "–" : d.text}</td>
            </tr>
          ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}
