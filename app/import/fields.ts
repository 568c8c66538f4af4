// Reading the import file's JSON objects field by field (docs/rules/import-format.md "The import file"):
// every problem is recorded with the path of the offending value and reading goes on, so a file
// is answered with all of its problems at once. A reader returns undefined for a value it could
// not read; a record is built only when every required value was read (`whenRead`), so no
// half-read record escapes — the problems already say why it is missing.
import { TEXT_LIMITS } from "../lib/fields";
import {
  isIsoDate,
  isTimeOfDay,
  isYearMonth,
  parseInstant,
  instantOf,
  type Instant,
  type IsoDate,
  type YearMonth,
} from "../lib/jst";
import type { ImportProblem } from "./import-file";

export type JsonObject = Record<string, unknown>;

export const ROOT_PATH = "(top level)";

/** How a value is shown in a message: JSON for scalars, its kind for containers. */
export function shown(value: unknown): string {
  if (value === undefined) return "nothing";
  if (Array.isArray(value)) return "an array";
  if (value !== null && typeof value === "object") return "an object";
  return JSON.stringify(value);
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(
        row[j] + 1,
        row[j - 1] + 1,
        diagonal + (a[i - 1].toLowerCase() === b[j - 1].toLowerCase() ? 0 : 1),
      );
      diagonal = above;
    }
  }
  return row[b.length];
}

function unknownFieldMessage(key: string, allowed: readonly string[]): string {
  const near = allowed
    .map((name) => ({ name, distance: editDistance(key, name) }))
    .filter((c) => c.distance <= Math.max(1, Math.floor(c.name.length / 4)))
    .sort((x, y) => x.distance - y.distance)[0];
  return near
    ? `unknown field (did you mean "${near.name}"?)`
    : `unknown field; expected one of ${allowed.map((a) => `"${a}"`).join(", ")}`;
}

/**
 * Reads the fields of one object. Required readers return undefined when the value is missing
 * or invalid (the problem is recorded); optional readers return null when absent.
 */
export class Fields {
  constructor(
    private readonly problems: ImportProblem[],
    readonly o: JsonObject,
    readonly path: string,
    allowed: readonly string[],
  ) {
    for (const key of Object.keys(o)) {
      if (!allowed.includes(key))
        problems.push({ path: this.at(key), message: unknownFieldMessage(key, allowed) });
    }
  }

  at(key: string): string {
    return this.path === ROOT_PATH ? key : `${this.path}.${key}`;
  }

  problem(key: string, message: string): undefined {
    this.problems.push({ path: this.at(key), message });
    return undefined;
  }

  private required(key: string): unknown {
    const v = this.o[key];
    if (isAbsent(v)) this.problem(key, "required");
    return v;
  }

  /** `max`: the stored length limit of the kind of text (app/lib/fields.ts), free text's by default. */
  text(key: string, max: number = TEXT_LIMITS.note): string | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    if (typeof v !== "string") return this.problem(key, `must be a string, got ${shown(v)}`);
    if (v.trim() === "") return this.problem(key, "must not be empty");
    if (v.length > max)
      return this.problem(key, `must be at most ${max} characters, got ${v.length}`);
    return v;
  }

  optionalText(
    key: string,
    pattern?: RegExp,
    max: number = TEXT_LIMITS.note,
  ): string | null | undefined {
    const v = this.o[key];
    if (isAbsent(v)) return null;
    if (typeof v !== "string" || v.trim() === "")
      return this.problem(key, `must be a non-empty string, got ${shown(v)}`);
    if (v.length > max)
      return this.problem(key, `must be at most ${max} characters, got ${v.length}`);
    if (pattern && !pattern.test(v)) return this.problem(key, `not a valid value: ${shown(v)}`);
    return v;
  }

  date(key: string): IsoDate | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    return isIsoDate(v) ? v : this.problem(key, `not a date (YYYY-MM-DD): ${shown(v)}`);
  }

  optionalDate(key: string): IsoDate | null | undefined {
    const v = this.o[key];
    if (isAbsent(v)) return null;
    return isIsoDate(v) ? v : this.problem(key, `not a date (YYYY-MM-DD): ${shown(v)}`);
  }

  month(key: string): YearMonth | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    return isYearMonth(v) ? v : this.problem(key, `not a month (YYYY-MM): ${shown(v)}`);
  }

  time(key: string): string | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    return isTimeOfDay(v) ? v : this.problem(key, `not a time of day (HH:MM): ${shown(v)}`);
  }

  /** An ISO 8601 instant with offset, returned as UTC ISO text (the schema's convention). */
  instant(key: string): Instant | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    const t = parseInstant(v);
    return t ? instantOf(t) : this.problem(key, `not an ISO 8601 instant with offset: ${shown(v)}`);
  }

  optionalInstant(key: string): Instant | null | undefined {
    if (isAbsent(this.o[key])) return null;
    return this.instant(key);
  }

  bool(key: string): boolean | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    return typeof v === "boolean" ? v : this.problem(key, `must be true or false, got ${shown(v)}`);
  }

  optionalBool(key: string, absent: boolean): boolean | undefined {
    if (isAbsent(this.o[key])) return absent;
    return this.bool(key);
  }

  /** A whole number ≥ `min` (quantities: min 1). */
  count(key: string, min: number): number | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    return this.checkCount(key, v, min);
  }

  optionalCount(key: string, min: number): number | null | undefined {
    const v = this.o[key];
    if (isAbsent(v)) return null;
    return this.checkCount(key, v, min);
  }

  private checkCount(key: string, v: unknown, min: number): number | undefined {
    if (typeof v === "number" && Number.isSafeInteger(v) && v >= min) return v;
    const bound = min === 1 ? "greater than 0" : `of at least ${min}`;
    return this.problem(key, `must be a whole number ${bound}, got ${shown(v)}`);
  }

  /** Signed integer yen. */
  yen(key: string): number | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    return typeof v === "number" && Number.isSafeInteger(v)
      ? v
      : this.problem(key, `must be a whole number of yen, got ${shown(v)}`);
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.required(key);
    if (isAbsent(v)) return undefined;
    if (typeof v === "string" && (allowed as readonly string[]).includes(v)) return v as T;
    return this.problem(
      key,
      `must be ${allowed.map((a) => `"${a}"`).join(" or ")}, got ${shown(v)}`,
    );
  }

  /** A list: absent/null = empty. */
  list(key: string): unknown[] {
    const v = this.o[key];
    if (isAbsent(v)) return [];
    if (Array.isArray(v)) return v;
    this.problem(key, `must be a list, got ${shown(v)}`);
    return [];
  }

  /** A nested object; null when absent (and `optional`) or invalid. */
  object(key: string, optional: boolean): JsonObject | null {
    const v = this.o[key];
    if (isAbsent(v)) {
      if (!optional) this.problem(key, "required");
      return null;
    }
    if (isObject(v)) return v;
    this.problem(key, `must be an object, got ${shown(v)}`);
    return null;
  }
}

/**
 * Reads each element of a list that is an object (with its path); other elements are problems, in
 * order. Elements whose reader returns undefined (a required value missing, already a problem) are
 * left out of the result.
 */
export function mapObjects<T>(
  problems: ImportProblem[],
  list: unknown[],
  path: string,
  fn: (o: JsonObject, path: string, index: number) => T | undefined,
): T[] {
  const result: T[] = [];
  list.forEach((value, index) => {
    const at = `${path}[${index}]`;
    if (!isObject(value)) {
      problems.push({ path: at, message: `must be an object, got ${shown(value)}` });
      return;
    }
    const read = fn(value, at, index);
    if (read !== undefined) result.push(read);
  });
  return result;
}

type Read<T> = { [K in keyof T]: T[K] | undefined };

/**
 * The record when every value was read, undefined when one was not (its reader has recorded the
 * problem). Optional values are passed already defaulted (`?? null`), so only a missing required
 * value is undefined here.
 */
export function whenRead<T extends object>(values: Read<T>): T | undefined {
  for (const value of Object.values(values)) if (value === undefined) return undefined;
  return values as T;
}

export const EMAIL_RE = /^[^\s@]+@[^\s@]+$/;

/** First path at which each ref was seen in the file, to name the original of a duplicate. */
export class RefIndex {
  private readonly firstAt = new Map<string, string>();

  constructor(
    private readonly problems: ImportProblem[],
    private readonly kind: string,
    private readonly inDatabase: ReadonlySet<string>,
  ) {}

  /** Registers a ref; a duplicate in the file or the database is a problem. */
  add(ref: string, path: string): void {
    const first = this.firstAt.get(ref);
    if (first !== undefined) {
      this.problems.push({
        path,
        message: `duplicate ${this.kind} ref "${ref}" (already used at ${first})`,
      });
      return;
    }
    this.firstAt.set(ref, path);
    if (this.inDatabase.has(ref)) {
      this.problems.push({
        path,
        message: `${this.kind} ref "${ref}" already exists in the database`,
      });
    }
  }

  has(ref: string): boolean {
    return this.firstAt.has(ref) || this.inDatabase.has(ref);
  }
}

/** Stable sort by a text key. */
export function sortedBy<T>(list: readonly T[], key: (t: T) => string): T[] {
  return [...list].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
