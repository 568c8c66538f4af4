import { describe, expect, it } from "vitest";
import { listHref, pageInfo, pageRequest, rangeText, sortHref, type ListSort } from "./paging";
import { pageNumbers } from "../components/Pager";

const SORT: ListSort<"number" | "name"> = {
  columns: { number: "desc", name: "asc" },
  default: "number",
};
const params = (q: string) => new URLSearchParams(q);

describe("pageRequest", () => {
  it("reads the page, an allowed sort column and its direction", () => {
    expect(pageRequest(params("page=3&sort=name&dir=desc"), SORT)).toEqual({
      page: 3,
      size: 50,
      sort: "name",
      dir: "desc",
    });
    expect(pageRequest(params("sort=name"), SORT)).toEqual({
      page: 1,
      size: 50,
      sort: "name",
      dir: "asc",
    });
  });
  it("falls back to the defaults for anything else", () => {
    for (const q of [
      "page=0",
      "page=-2",
      "page=1.5",
      "page=abc",
      "page=99999999",
      "sort=id;drop",
      "dir=up",
      "sort=__proto__",
    ]) {
      expect(pageRequest(params(q), SORT)).toEqual({
        page: 1,
        size: 50,
        sort: "number",
        dir: "desc",
      });
    }
  });
});

describe("two lists on one page", () => {
  it("each reads and writes only its own prefixed parameters", () => {
    const q = "contractsPage=2&contractsSort=name&contractsDir=desc&invoicesPage=3&page=9&sort=x";
    expect(pageRequest(params(q), SORT, { prefix: "contracts" })).toEqual({
      page: 2,
      size: 50,
      sort: "name",
      dir: "desc",
      prefix: "contracts",
    });
    expect(pageRequest(params(q), SORT, { prefix: "invoices", size: 20 })).toEqual({
      page: 3,
      size: 20,
      sort: "number",
      dir: "desc",
      prefix: "invoices",
    });
    const info = { ...pageRequest(params(q), SORT, { prefix: "invoices" }), total: 500 };
    // Sorting the invoices starts them again at their page 1 and leaves the contracts where they were.
    expect(sortHref(`?${q}`, info, "name", "asc")).toBe(
      "?contractsPage=2&contractsSort=name&contractsDir=desc&page=9&sort=x&invoicesSort=name&invoicesDir=asc",
    );
    expect(listHref("?contractsPage=2&invoicesPage=3", { invoicesPage: 1 })).toBe(
      "?contractsPage=2",
    );
  });
});

describe("pageInfo", () => {
  it("clamps a page past the end to the last one and gives the offset", () => {
    expect(pageInfo({ page: 9, size: 50, sort: "number", dir: "desc" }, 120)).toMatchObject({
      page: 3,
      offset: 100,
      total: 120,
    });
    expect(pageInfo({ page: 2, size: 50, sort: "number", dir: "desc" }, 0)).toMatchObject({
      page: 1,
      offset: 0,
      total: 0,
    });
  });
});

describe("links", () => {
  it("keep the filters, drop page 1, and reset the page when the sort changes", () => {
    expect(listHref("?q=%E3%81%82&min=5000&page=2", { page: 3 })).toBe(
      "?q=%E3%81%82&min=5000&page=3",
    );
    expect(listHref("?q=a&page=2", { page: 1 })).toBe("?q=a");
    expect(listHref("?page=2", { page: 1 })).toBe("?");
    const info = { page: 4, size: 50, total: 500, sort: "number" as const, dir: "desc" as const };
    expect(sortHref("?status=unpaid&page=4&sort=number&dir=desc", info, "number", "desc")).toBe(
      "?status=unpaid&sort=number&dir=asc",
    );
    expect(sortHref("?status=unpaid&page=4", info, "name", "asc")).toBe(
      "?status=unpaid&sort=name&dir=asc",
    );
  });
  it("say 「全N件中 X–Y件」 and list the pages around the current one", () => {
    expect(rangeText({ page: 2, size: 50, total: 1234, sort: "x", dir: "asc" })).toBe(
      "全1,234件中 51–100件",
    );
    expect(rangeText({ page: 25, size: 50, total: 1234, sort: "x", dir: "asc" })).toBe(
      "全1,234件中 1,201–1,234件",
    );
    expect(rangeText({ page: 1, size: 50, total: 0, sort: "x", dir: "asc" })).toBe("0件");
    expect(pageNumbers(1, 1)).toEqual([1]);
    expect(pageNumbers(6, 25)).toEqual([1, null, 4, 5, 6, 7, 8, null, 25]);
    expect(pageNumbers(2, 4)).toEqual([1, 2, 3, 4]);
  });
});
