// Integer-yen arithmetic. Every fraction below one yen is dropped toward zero (T-28).
import { toYen, type Yen } from "./money";

/** floor(numerator / denominator) for non-negative integers, exact for yen-sized values. */
export function truncDiv(numerator: number, denominator: number): number {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || denominator === 0) {
    throw new Error(
      `truncDiv needs safe integers and a non-zero denominator: ${numerator}/${denominator}`,
    );
  }
  return Math.trunc(numerator / denominator);
}

/** amount × rate where the rate is given as a fraction numerator/denominator, truncated (T-28). */
export function applyRate(amountYen: number, rateNumerator: number, rateDenominator: number): Yen {
  return toYen(truncDiv(amountYen * rateNumerator, rateDenominator));
}

export function sumYen(values: readonly Yen[]): Yen {
  return toYen(values.reduce((a: number, b) => a + b, 0));
}

/** A unit price times a quantity (a whole number of units). */
export function yenTimes(unit: Yen, quantity: number): Yen {
  return toYen(unit * quantity);
}
