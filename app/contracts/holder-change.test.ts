import { describe, expect, it } from "vitest";
import {
  parseSuccessors,
  representativeOf,
  validateHolderChange,
  type HolderChangeInput,
} from "./holder-change";

const succession: HolderChangeInput = {
  kind: "succession",
  cause: "merger",
  existingCustomerId: null,
  name: "株式会社みらい",
  address: "東京都千代田区1-1",
  phone: "03-1234-5678",
  email: "info@mirai.example",
  successors: ["株式会社みらい"],
  representative: null,
  evidence: "succession_proof",
  evidenceNote: "登記事項証明書",
  consent: true,
};

describe("T-12 representative", () => {
  it("is the one named when named among the successors, else the first listed", () => {
    expect(representativeOf(["A", "B"], "B")).toEqual({ name: "B", named: true });
    expect(representativeOf(["A", "B"], null)).toEqual({ name: "A", named: false });
    expect(representativeOf(["A", "B"], "C")).toEqual({ name: "A", named: false });
  });
  it("reads successors one per line", () => {
    expect(parseSuccessors(" 山田 花子 \r\n\r\n山田 一郎\n")).toEqual(["山田 花子", "山田 一郎"]);
  });
});

describe("holder change form", () => {
  it("accepts a complete succession registration", () => {
    expect(validateHolderChange(succession)).toEqual({});
  });
  it("refuses texts longer than the console stores (issue 15 item 1)", () => {
    const long = "株".repeat(201);
    expect(
      validateHolderChange({
        ...succession,
        name: long,
        address: long,
        email: `${"a".repeat(250)}@x.jp`,
        successors: [long],
        representative: long,
        evidenceNote: "証".repeat(2001),
      }),
    ).toEqual({
      name: "氏名・名称は200文字以内で入力してください",
      address: "住所は200文字以内で入力してください",
      email: "メールアドレスは254文字以内で入力してください",
      successors: "承継した方の名称は200文字以内で入力してください",
      representative: "代表者は200文字以内で入力してください",
      evidenceNote: "書類の名称・受付番号は2,000文字以内で入力してください",
    });
  });
  it("needs a cause, distinct successors and a representative among them", () => {
    expect(
      validateHolderChange({
        ...succession,
        cause: null,
        successors: ["A", "A"],
        representative: "B",
      }),
    ).toEqual({
      cause: "承継の原因（相続・合併・分割）を選んでください",
      successors: "同じ名称が重複しています",
      representative: "代表者は承継した方の中から選んでください（第12条第2項）",
    });
  });
  it("asks the transfer for a signed request or a proving document (T-10-2), and the acknowledgement of the takeover", () => {
    const transfer = {
      ...succession,
      kind: "transfer" as const,
      cause: null,
      successors: [],
      evidence: "succession_proof",
      consent: false,
    };
    expect(validateHolderChange(transfer)).toEqual({
      evidence: "提出する書類を選んでください",
      consent:
        "譲受人が未払いの料金を含む一切の権利義務を承継することを確認し、チェックを入れてください",
    });
    expect(
      validateHolderChange({ ...transfer, evidence: "transfer_document", consent: true }),
    ).toEqual({});
  });
  it("does not ask contact details when an existing customer takes the contract", () => {
    expect(
      validateHolderChange({
        ...succession,
        existingCustomerId: 3,
        name: "",
        address: "",
        phone: "",
        email: "",
      }),
    ).toEqual({});
    expect(validateHolderChange({ ...succession, phone: "12", email: "x" })).toEqual({
      phone: "電話番号を市外局番から入力してください",
      email: "メールアドレスの形式が正しくありません",
    });
  });
});
