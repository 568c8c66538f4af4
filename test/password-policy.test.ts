// What a new password must be (issue 15, item 11: NIST SP 800-63B): checkNewPassword, one case each.
import { describe, expect, it } from "vitest";
import { checkNewPassword } from "../app/auth/password-policy.server";

const EMAIL = "Yamada.Hanako@minato.example";

describe("checkNewPassword", () => {
  it("accepts a long password that is none of the below", () => {
    expect(checkNewPassword("minato-kanri-2026", EMAIL)).toBeNull();
    expect(checkNewPassword("correct horse battery staple", EMAIL)).toBeNull();
  });

  it("counts characters, not UTF-16 units: 12 emoji pass, 11 do not", () => {
    // 11 emoji are 22 UTF-16 units: a `.length` check let them through.
    expect(checkNewPassword("🍎🍊🍋🍌🍉🍇🍓🫐🍈🍒🍑", EMAIL)).toBe(
      "新しいパスワードは12文字以上にしてください",
    );
    expect(checkNewPassword("🍎🍊🍋🍌🍉🍇🍓🫐🍈🍒🍑🥭", EMAIL)).toBeNull();
    expect(checkNewPassword("あいうえおかきくけこさ", EMAIL)).toBe(
      "新しいパスワードは12文字以上にしてください",
    );
  });

  it("refuses fewer than 12 and more than 200 characters", () => {
    expect(checkNewPassword("Xk3#pQ9!mZ2", EMAIL)).toBe(
      "新しいパスワードは12文字以上にしてください",
    );
    expect(checkNewPassword("Xk3#pQ9!mZ2w", EMAIL)).toBeNull();
    expect(checkNewPassword("ab1-".repeat(50), EMAIL)).toBeNull();
    expect(checkNewPassword(`${"ab1-".repeat(50)}x`, EMAIL)).toBe(
      "新しいパスワードは200文字以内にしてください",
    );
  });

  it("refuses whitespace only", () => {
    expect(checkNewPassword(" ".repeat(12), EMAIL)).toBe("空白だけのパスワードは使えません");
    expect(checkNewPassword(" \t \u3000 \t \u3000 \t  ", EMAIL)).toBe(
      "空白だけのパスワードは使えません",
    );
  });

  it("refuses one repeated character and runs up or down, letters of either case and digits wrapping", () => {
    const message = "同じ文字の繰り返しや、連続した文字・数字の並びは使えません";
    for (const p of [
      "aaaaaaaaaaaa",
      "ああああああああああああ",
      "123456789012",
      "abcdefghijkl",
      "ABCDEFGHIJKL",
      "aBcDeFgHiJkL",
      "210987654321",
      "zyxwvutsrqpo",
    ]) {
      expect([p, checkNewPassword(p, EMAIL)]).toEqual([p, message]);
    }
    expect(checkNewPassword("abcdefghijkm", EMAIL)).toBeNull();
    expect(checkNewPassword("aaaaaaaaaaab", EMAIL)).toBeNull();
  });

  it("refuses a password containing the address's local part (4 characters or more), ignoring case", () => {
    const message = "メールアドレスの「@」より前の部分を含むパスワードは使えません";
    expect(checkNewPassword("yamada.hanako", EMAIL)).toBe(message);
    expect(checkNewPassword("my-YAMADA.HANAKO-2026", EMAIL)).toBe(message);
    expect(checkNewPassword(EMAIL, EMAIL)).toBe(message);
    expect(checkNewPassword("yamada-hanako-2026", EMAIL)).toBeNull();
    // A short local part is too common a string to refuse over.
    expect(checkNewPassword("my-abc-password-2026", "abc@example.com")).toBeNull();
    expect(checkNewPassword("my-abcd-password-2026", "abcd@example.com")).toBe(message);
  });

  it("refuses a password of the common-passwords list (zxcvbn-ts), ignoring case, but not one with something appended", () => {
    const message = "よく使われていて推測されやすいパスワードのため使えません";
    expect(checkNewPassword("qwertyuiop123", EMAIL)).toBe(message);
    expect(checkNewPassword("PASSWORD1234", EMAIL)).toBe(message);
    expect(checkNewPassword("1qaz2wsx3edc", EMAIL)).toBe(message);
    expect(checkNewPassword("qwertyuiop123-seven", EMAIL)).toBeNull();
  });
});
