import { describe, expect, it } from "vitest";
import { areaOfAddress, PREFECTURE_AREAS, prefectureOf } from "./prefecture-area";

// Issue 17 item 11: the 17 prefectures NTT東日本 serves; every other one is NTT西日本's.
const EAST = [
  "北海道",
  "青森県",
  "岩手県",
  "宮城県",
  "秋田県",
  "山形県",
  "福島県",
  "茨城県",
  "栃木県",
  "群馬県",
  "埼玉県",
  "千葉県",
  "東京都",
  "神奈川県",
  "新潟県",
  "山梨県",
  "長野県",
];
const WEST = [
  "富山県",
  "石川県",
  "福井県",
  "岐阜県",
  "静岡県",
  "愛知県",
  "三重県",
  "滋賀県",
  "京都府",
  "大阪府",
  "兵庫県",
  "奈良県",
  "和歌山県",
  "鳥取県",
  "島根県",
  "岡山県",
  "広島県",
  "山口県",
  "徳島県",
  "香川県",
  "愛媛県",
  "高知県",
  "福岡県",
  "佐賀県",
  "長崎県",
  "熊本県",
  "大分県",
  "宮崎県",
  "鹿児島県",
  "沖縄県",
];

describe("areaOfAddress", () => {
  it("lists 47 prefectures: 17 east and 30 west", () => {
    expect(PREFECTURE_AREAS).toHaveLength(47);
    expect(new Set(PREFECTURE_AREAS.map((p) => p.prefecture)).size).toBe(47);
    expect(EAST).toHaveLength(17);
    expect(WEST).toHaveLength(30);
  });

  it.each(EAST)("%s → east", (prefecture) => {
    expect(areaOfAddress(`${prefecture}中央1-2-3`)).toBe("east");
  });

  it.each(WEST)("%s → west", (prefecture) => {
    expect(areaOfAddress(`${prefecture}中央1-2-3`)).toBe("west");
  });

  it("reads a postal code first, full-width text and a name without its suffix", () => {
    expect(prefectureOf("〒530-0001 大阪府大阪市北区梅田1-1")).toBe("大阪府");
    expect(prefectureOf("１００－０００１　東京都千代田区千代田1")).toBe("東京都");
    expect(prefectureOf("京都市中京区烏丸通1")).toBe("京都府");
    expect(prefectureOf("東京千代田区1")).toBe("東京都");
    expect(areaOfAddress("神奈川横浜市西区1")).toBe("east");
  });

  it("answers null when the address names no prefecture", () => {
    expect(areaOfAddress("")).toBeNull();
    expect(areaOfAddress("千代田区千代田1-1")).toBeNull();
    expect(areaOfAddress("Tokyo")).toBeNull();
  });
});
