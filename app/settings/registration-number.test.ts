import { describe, expect, it } from "vitest";
import { checkRegistrationNumber, corporateNumberCheckDigit } from "./registration-number";

describe("qualified-invoice registration number", () => {
  it("computes the corporate-number check digit", () => {
    // 国税庁's own corporate number 7000012050002: check digit 7 over 000012050002.
    expect(corporateNumberCheckDigit("000012050002")).toBe(7);
    expect(corporateNumberCheckDigit("010001234566")).toBe(5);
  });

  it("accepts T + 13 digits with a matching check digit, normalising what people type", () => {
    expect(checkRegistrationNumber("T7000012050002")).toEqual({
      ok: true,
      value: "T7000012050002",
    });
    expect(checkRegistrationNumber("ｔ５０１０-００１２-３４５６６")).toEqual({
      ok: true,
      value: "T5010001234566",
    });
  });

  it("refuses other shapes and wrong check digits with a Japanese message", () => {
    const noT = checkRegistrationNumber("8010001234566");
    expect(noT.ok).toBe(false);
    if (!noT.ok) expect(noT.fields?.registrationNumber).toContain("13桁");
    const wrong = checkRegistrationNumber("T8010001234566");
    expect(wrong.ok).toBe(false);
    if (!wrong.ok) expect(wrong.fields?.registrationNumber).toContain("チェックディジット");
    expect(checkRegistrationNumber("T801000123456").ok).toBe(false);
  });
});
