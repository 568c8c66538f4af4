import { describe, expect, it } from "vitest";
import { makeLicense, makeMonthly } from "./license.fixture";
import {
  cancellationPath,
  findLicenses,
  normalizeEmail,
  normalizeKey,
  STORE_ORDER_STATUS_URL,
  SUPPORT_CHAT_URL,
  vendorPathKind,
} from "./lookup";

const store = makeLicense({ ref: "L1", orderNumber: "NP12345678", productKey: "ABCD-EFGH-IJKL" });
const sy = makeLicense({
  ref: "L2",
  customer: "C2",
  orderNumber: "SY00112233",
  productKey: "ZZZZ-1111-2222",
  orderEmail: "Order@Example.JP",
});
const isp = makeMonthly({
  ref: "I1",
  channel: "isp",
  orderNumber: null,
  productKey: "PIN0-AAAA",
  contractNumber: "8123456789",
});
const carrier = makeMonthly({
  ref: "K1",
  channel: "carrier_provider",
  orderNumber: null,
  productKey: null,
  carrier: "docomo",
  carrierPaymentNumber: "D-9988-7766",
});
const all = [store, sy, isp, carrier];
const customers = [
  { ref: "C1", email: "it@minato.example" },
  { ref: "C2", email: null },
];

const refs = (q: string) =>
  findLicenses(q, all, customers).map((m) => [m.license.ref, m.matchedBy]);

describe("L-6 normalisation", () => {
  it("trims, ignores case, hyphens and spaces (also full-width) in keys", () => {
    expect(normalizeKey("  abcd-efgh ijkl ")).toBe("ABCDEFGHIJKL");
    expect(normalizeKey("ＡＢＣＤ－ＥＦＧＨ　ＩＪＫＬ")).toBe("ABCDEFGHIJKL");
    expect(normalizeKey("np１２３４ー５６７８")).toBe("NP12345678");
    expect(normalizeEmail("  IT@Minato.Example ")).toBe("it@minato.example");
  });
});

describe("L-6 lookup", () => {
  it("by order number, whatever the case and spacing", () => {
    expect(refs("np 1234-5678")).toEqual([["L1", "orderNumber"]]);
  });
  it("by product key / PIN", () => {
    expect(refs("abcdefghijkl")).toEqual([["L1", "productKey"]]);
    expect(refs("pin0aaaa")).toEqual([["I1", "productKey"]]);
  });
  it("by ISP contract number", () => {
    expect(refs(" 812-345-6789 ")).toEqual([["I1", "contractNumber"]]);
  });
  it("by carrier payment number", () => {
    expect(refs("d99887766")).toEqual([["K1", "carrierPaymentNumber"]]);
  });
  it("by e-mail: the order's or the customer's, case-insensitive", () => {
    expect(refs(" order@example.jp ")).toEqual([["L2", "email"]]);
    expect(refs("IT@MINATO.EXAMPLE")).toEqual([
      ["L1", "email"],
      ["I1", "email"],
      ["K1", "email"],
    ]);
  });
  it("finds nothing for a near miss or an empty query", () => {
    expect(refs("NP1234567")).toEqual([]);
    expect(refs("NP123456789")).toEqual([]);
    expect(refs(" - ")).toEqual([]);
    expect(refs("x@minato.example")).toEqual([]);
  });
});

describe("L-6 cancellation path", () => {
  it("AP / NP order numbers → the account's licence page", () => {
    expect(vendorPathKind("AP00000001")).toBe("vendor_account");
    expect(vendorPathKind("np12345678")).toBe("vendor_account");
    const p = cancellationPath(store);
    expect(p.kind).toBe("vendor_account");
    expect(p.steps[1]).toBe(
      "[マイアカウント] ページで、ライセンスの横または下にある [ライセンス自動延長サービスをキャンセルする] をクリックします。",
    );
  });

  it("SY → the store's order-status page with the order number and the e-mail or phone", () => {
    const p = cancellationPath(sy);
    expect(p).toMatchObject({ kind: "store_order_status", url: STORE_ORDER_STATUS_URL });
    expect(p.steps[1]).toBe(
      "注文番号（SY00112233）と、注文時の電子メールアドレスまたは電話番号を入力します。",
    );
  });

  it("anything else → support chat", () => {
    expect(vendorPathKind("XY123")).toBe("support_chat");
    expect(vendorPathKind("S")).toBe("support_chat");
    expect(cancellationPath(makeLicense({ orderNumber: "SA123" })).kind).toBe("support_chat");
    const none = cancellationPath(makeLicense({ orderNumber: null }));
    expect(none).toMatchObject({ kind: "support_chat", url: SUPPORT_CHAT_URL });
    expect(none.steps[0]).toContain("order@mail.nortonstore.jp");
  });

  it("ISP → the ISP's my-page, end of month, revocable", () => {
    const p = cancellationPath(isp);
    expect(p.kind).toBe("isp_mypage");
    expect(p.steps).toContain(
      "解約する契約番号（8123456789）を選択し、「解約申込み」をクリックします。内容を確認し、「解約」をクリックします。",
    );
    expect(p.steps).toContain("当月中は解約予約の取消ができます。");
  });

  it("carrier-shop licence → the third-party provider, with the shop warning last", () => {
    const p = cancellationPath(carrier, all);
    expect(p.kind).toBe("carrier_provider");
    expect(p.steps[3]).toBe(
      "プロダクトキーがわからない場合は、ドコモ払いの決済番号（D-9988-7766）を伝えて解約できます。完了まで1〜10日かかります。",
    );
    expect(p.steps.at(-1)).toMatch(/^【ご注意】/);
  });

  it("app store and reseller → their own terms, even with an AP/NP order number", () => {
    expect(cancellationPath(makeLicense({ channel: "app_store" })).kind).toBe("app_store");
    const r = cancellationPath(makeLicense({ channel: "reseller" }));
    expect(r.kind).toBe("reseller");
    expect(r.steps[0]).toBe("購入した販売店に連絡し、解約を申し出ます（注文番号 NP12345678）。");
  });
});
