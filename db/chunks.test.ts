import { describe, expect, it } from "vitest";
import { chunks, SQL_CHUNK } from "./chunks";

describe("chunks", () => {
  it("splits a list in order into slices of the size, the last one shorter", () => {
    expect([...chunks([1, 2, 3, 4, 5], 2)]).toEqual([[1, 2], [3, 4], [5]]);
    expect([...chunks([1, 2, 3, 4], 2)]).toEqual([
      [1, 2],
      [3, 4],
    ]);
    expect([...chunks([], 2)]).toEqual([]);
  });

  it("uses SQL_CHUNK by default: 32,800 values make 66 lists of at most 500", () => {
    const parts = [...chunks(Array.from({ length: 32_800 }, (_, i) => i))];
    expect(SQL_CHUNK).toBe(500);
    expect(parts.map((p) => p.length)).toEqual([...Array(65).fill(500), 300]);
    expect(parts.flat()).toHaveLength(32_800);
    expect(parts[65][299]).toBe(32_799);
  });

  it("refuses a size below 1 rather than looping for ever", () => {
    expect(() => [...chunks([1], 0)]).toThrow("chunks: size must be at least 1, got 0");
  });
});
