// The reasons the provider may suspend (T-17) or end (T-21) a contract; bundled for the browser.
export const SUSPENSION_REASONS = {
  non_payment: "料金その他の債務の支払期日を経過してもなお支払わないとき",
  other_service_unpaid: "当社の他のサービスの料金の支払いを怠ったとき",
  reputation: "当社の名誉もしくは信用を毀損したとき",
  breach: "規約第15条または第37条に違反したとき",
  excessive_enquiries: "社会通念を超える頻度・内容の問い合わせで業務に支障を及ぼしたとき",
  obstruction: "当社の業務の遂行に支障を及ぼし、または及ぼすおそれがあるとき",
  damage: "当社の設備に損害を与え、または与えるおそれがあるとき",
} as const;

export type SuspensionReason = keyof typeof SUSPENSION_REASONS;
