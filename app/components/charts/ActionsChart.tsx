// How detections were handled, as a donut (client-rendered, see ChartFrame).
import { Cell, Label, Legend, Pie, PieChart, ResponsiveContainer, Tooltip } from "recharts";
import { ChartFrame } from "./ChartFrame";
import { formatCount } from "../../lib/format";

/** Fixed colours per handling, so that a failure is red on every screen. */
const ACTION_COLORS: Record<string, string> = {
  blocked: "#0b5cab",
  quarantined: "#15b79e",
  removed: "#66c61c",
  failed: "#d92d20",
  passed: "#f79009",
};

export function ActionsChart({
  slices,
  height = 260,
}: {
  slices: Array<{ key: string; label: string; count: number }>;
  height?: number;
}) {
  const data = slices.filter((s) => s.count > 0);
  const total = data.reduce((sum, s) => sum + s.count, 0);
  return (
    <ChartFrame height={height} label="処理結果の内訳（ドーナツグラフ）">
      {() => (
        <ResponsiveContainer width="100%" height="100%">
          <PieChart>
            <Pie
              data={data}
              dataKey="count"
              nameKey="label"
              innerRadius="55%"
              outerRadius="82%"
              paddingAngle={1}
              isAnimationActive={false}
            >
              {data.map((s) => (
                <Cell key={s.key} fill={ACTION_COLORS[s.key] ?? "#667085"} stroke="#fff" />
              ))}
              <Label
                value={`${formatCount(total)}件`}
                position="center"
                style={{ fontSize: 16, fontWeight: 700, fill: "#1f2933" }}
              />
            </Pie>
            <Tooltip formatter={(value, name) => [`${value}件`, name]} />
            <Legend
              iconType="circle"
              iconSize={9}
              itemSorter={null}
              layout="horizontal"
              align="center"
              verticalAlign="bottom"
              wrapperStyle={{ fontSize: 12 }}
            />
          </PieChart>
        </ResponsiveContainer>
      )}
    </ChartFrame>
  );
}
