// The box a chart draws in. recharts measures the browser's layout, so the chart is drawn only
// after hydration: the server (and a browser without JavaScript) renders this empty frame of
// the chart's height, and the table beside it carries the same numbers.
import { useEffect, useState, type ReactNode } from "react";

/** Colours of the console's charts: calm blues first, red reserved for failures. */
export const CHART_COLORS = [
  "#0b5cab",
  "#2e90fa",
  "#15b79e",
  "#7a5af8",
  "#f79009",
  "#ee46bc",
  "#d92d20",
  "#667085",
  "#84caff",
  "#66c61c",
  "#b54708",
];

export function ChartFrame({
  height,
  label,
  children,
}: {
  height: number;
  label: string;
  children: () => ReactNode;
}) {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return (
    <div className="chart-frame" style={{ height }} role="img" aria-label={label}>
      {hydrated ? children() : null}
    </div>
  );
}
