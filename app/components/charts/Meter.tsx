/**
 * A small bar for a percentage (a gateway's availability). The width is the one style computed
 * from data, so it is set here and not in a route (issue 16 item 6).
 */
export function Meter({ percent, low }: { percent: number; low: boolean }) {
  return (
    <span className={low ? "meter low" : "meter"}>
      <span style={{ width: `${Math.max(0, Math.min(100, percent))}%` }} />
    </span>
  );
}
