// A top-N ranking as horizontal bars (threats, devices; client-rendered, see ChartFrame).
import {
  Bar,
  BarChart,
  CartesianGrid,
  LabelList,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { ChartFrame } from "./ChartFrame";
import { formatCount } from "../../lib/format";

/** Roughly how wide a name is at 11px: full-width (Japanese) characters count twice. */
function units(ch: string): number {
  return ch.charCodeAt(0) > 0xff ? 2 : 1;
}

/** Long names are cut on one line with "…"; the table beside the chart shows them in full. */
function shorten(name: string, maxUnits: number): string {
  let used = 0;
  for (let i = 0; i < name.length; i++) {
    used += units(name[i]);
    if (used > maxUnits) return `${name.slice(0, Math.max(1, i - 1))}…`;
  }
  return name;
}

function NameTick(props: {
  x?: number | string;
  y?: number | string;
  payload?: { value: string };
  maxUnits: number;
}) {
  const name = props.payload?.value ?? "";
  return (
    <text
      x={Number(props.x)}
      y={Number(props.y)}
      dy={4}
      textAnchor="end"
      fontSize={11}
      fill="#1f2933"
    >
      <title>{name}</title>
      {shorten(name, props.maxUnits)}
    </text>
  );
}

export function RankingChart({
  items,
  label,
  color = "#0b5cab",
  labelWidth = 180,
}: {
  items: Array<{ name: string; count: number }>;
  label: string;
  color?: string;
  labelWidth?: number;
}) {
  const height = Math.max(120, items.length * 30 + 28);
  const maxUnits = Math.floor((labelWidth - 8) / 6.3);
  return (
    <ChartFrame height={height} label={label}>
      {() => (
        <ResponsiveContainer width="100%" height="100%">
          <BarChart
            data={items}
            layout="vertical"
            margin={{ top: 4, right: 40, bottom: 4, left: 4 }}
            barCategoryGap="24%"
          >
            <CartesianGrid strokeDasharray="3 3" horizontal={false} stroke="#e4e7ec" />
            <XAxis
              type="number"
              allowDecimals={false}
              tick={{ fontSize: 11, fill: "#5f6b7a" }}
              tickLine={false}
              axisLine={false}
            />
            <YAxis
              type="category"
              dataKey="name"
              width={labelWidth}
              tickLine={false}
              axisLine={{ stroke: "#d0d5dd" }}
              interval={0}
              tick={(tick: {
                x?: number | string;
                y?: number | string;
                payload?: { value: string };
              }) => <NameTick {...tick} maxUnits={maxUnits} />}
            />
            <Tooltip
              cursor={{ fill: "rgba(11, 92, 171, 0.06)" }}
              formatter={(value) => [`${formatCount(Number(value))}件`, "検知"]}
            />
            <Bar dataKey="count" fill={color} radius={[0, 3, 3, 0]} isAnimationActive={false}>
              <LabelList
                dataKey="count"
                position="right"
                style={{ fontSize: 11, fill: "#5f6b7a" }}
              />
            </Bar>
          </BarChart>
        </ResponsiveContainer>
      )}
    </ChartFrame>
  );
}
