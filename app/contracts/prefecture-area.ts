// Which NTT regional company serves an installation address (issue 17 item 11): NTT東日本 serves
// Hokkaido, the six Tohoku prefectures, the Kanto prefectures, Niigata, Yamanashi and Nagano (17);
// NTT西日本 the other 30. Pure: the form suggests the area from the address's prefecture and the
// server fills it the same way when the field is left empty.
export type Area = "east" | "west";

/** The 47 prefectures in JIS X 0401 order, each with the NTT area that serves it. */
export const PREFECTURE_AREAS: readonly { prefecture: string; area: Area }[] = [
  ["北海道", "east"],
  ["青森県", "east"],
  ["岩手県", "east"],
  ["宮城県", "east"],
  ["秋田県", "east"],
  ["山形県", "east"],
  ["福島県", "east"],
  ["茨城県", "east"],
  ["栃木県", "east"],
  ["群馬県", "east"],
  ["埼玉県", "east"],
  ["千葉県", "east"],
  ["東京都", "east"],
  ["神奈川県", "east"],
  ["新潟県", "east"],
  ["富山県", "west"],
  ["石川県", "west"],
  ["福井県", "west"],
  ["山梨県", "east"],
  ["長野県", "east"],
  ["岐阜県", "west"],
  ["静岡県", "west"],
  ["愛知県", "west"],
  ["三重県", "west"],
  ["滋賀県", "west"],
  ["京都府", "west"],
  ["大阪府", "west"],
  ["兵庫県", "west"],
  ["奈良県", "west"],
  ["和歌山県", "west"],
  ["鳥取県", "west"],
  ["島根県", "west"],
  ["岡山県", "west"],
  ["広島県", "west"],
  ["山口県", "west"],
  ["徳島県", "west"],
  ["香川県", "west"],
  ["愛媛県", "west"],
  ["高知県", "west"],
  ["福岡県", "west"],
  ["佐賀県", "west"],
  ["長崎県", "west"],
  ["熊本県", "west"],
  ["大分県", "west"],
  ["宮崎県", "west"],
  ["鹿児島県", "west"],
  ["沖縄県", "west"],
].map(([prefecture, area]) => ({ prefecture, area: area as Area }));

/**
 * The prefecture an address starts with, after an optional postal code (〒100-0001) and spaces;
 * also without its suffix (東京 for 東京都, 大阪 for 大阪府), except 北海道, which has none. Null when
 * the address does not start with one.
 */
export function prefectureOf(address: string): string | null {
  const text = address
    .normalize("NFKC")
    .replace(/^\s*〒?\s*\d{3}-?\d{4}\s*/, "")
    .trim();
  for (const { prefecture } of PREFECTURE_AREAS) {
    if (text.startsWith(prefecture)) return prefecture;
  }
  for (const { prefecture } of PREFECTURE_AREAS) {
    // Without 都/府/県: 京都市… is in 京都府 and 東京千代田区… in 東京都, as a person would read it.
    if (prefecture !== "北海道" && text.startsWith(prefecture.slice(0, -1))) return prefecture;
  }
  return null;
}

/** The NTT area serving the address's prefecture, or null when no prefecture is recognised. */
export function areaOfAddress(address: string): Area | null {
  const prefecture = prefectureOf(address);
  return PREFECTURE_AREAS.find((p) => p.prefecture === prefecture)?.area ?? null;
}
