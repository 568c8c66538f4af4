// Detections per JST day, stacked by type (client-rendered, see ChartFrame).
import {
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import { CHART_COLORS, ChartFrame } from "./ChartFrame";

/**
 * One colour per detection type, the same whatever types a period contains: C&C communication
 * is always red, viruses always blue.
 */
const TYPE_COLORS: Record<string, string> = {
  virus: "#0b5cab",
  network_virus: "#2e90fa",
  spyware: "#7a5af8",
  grayware: "#b692f6",
  spam: "#f79009",
  phishing: "#ee46bc",
  cc_callback: "#d92d20",
  web_block: "#15b79e",
  app_block: "#84caff",
  intrusion: "#b54708",
  sandbox: "#667085",
};

export interface DaySeries {
  key: string;
  label: string;
}

export function DetectionsByDayChart({
  rows,
  series,
  height = 300,
}: {
  rows: Array<{ day: string; counts: Partial<Record<string, number>> }>;
  series: DaySeries[];
  height?: number;
}) {
  const data = rows.map((r) => ({
    day: `${Number(r.day.slice(5, 7))}/${Number(r.day.slice(8, 10))}`,
    ...r.counts,
  }));
  return (
    <ChartFrame height={height} label="日別の検知件数（種類別の積み上げ棒グラフ）">
      {() => (
        <ResponsiveContainer width="100%" height="100%">
          <BarChart
            data={data}
            margin={{ top: 8, right: 8, bottom: 0, left: -12 }}
            barCategoryGap="18%"
          >
            <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e4e7ec" />
            <XAxis
              dataKey="day"
              tick={{ fontSize: 11, fill: "#5f6b7a" }}
              tickLine={false}
              axisLine={{ stroke: "#d0d5dd" }}
              minTickGap={8}
            />
            <YAxis
              allowDecimals={false}
              tick={{ fontSize: 11, fill: "#5f6b7a" }}
              tickLine={false}
              axisLine={false}
            />
            <Tooltip
              itemSorter={() => 0}
              cursor={{ fill: "rgba(11, 92, 171, 0.06)" }}
              formatter={(value, name) => [`${value}件`, name]}
              labelFormatter={(label) => `${label} の検知`}
            />
            <Legend
              iconType="square"
              iconSize={10}
              itemSorter={null}
              wrapperStyle={{ fontSize: 12, paddingTop: 4 }}
            />
            {series.map((s, i) => (
              <Bar
                key={s.key}
                dataKey={s.key}
                name={s.label}
                stackId="detections"
                fill={TYPE_COLORS[s.key] ?? CHART_COLORS[i % CHART_COLORS.length]}
                isAnimationActive={false}
              />
            ))}
          </BarChart>
        </ResponsiveContainer>
      )}
    </ChartFrame>
  );
}
