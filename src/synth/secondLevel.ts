/**
 * Split calibrated first-level scores into the twelve second-level indicators.
 *
 * The four deduction categories start at full marks, so a first-level deduction is spread over
 * its second-level indicators (each loses at most its weight), in the chunks the third-level
 * items suggest (SPEC.md section 1): serious dishonest acts is all-or-nothing (120), tax items
 * are 30 points. Social Responsibility = honesty records (red list 60 + honours 60) + charity;
 * the population split is pinned to Figure 2 (mean honesty 58.29% and charity 1.25% of their
 * maxima over all firms), which determines the exact charity total.
 */
import type { Rng } from '../stats/rng.ts';
import { SECOND_LEVEL_WEIGHTS as W2, type FirstLevelScores, type SecondLevelScores } from './types.ts';

/** Spread a deduction over indicators (in the given order), each taking at most its capacity. */
function spread(deduction: number, caps: number[]): number[] {
  const out = caps.map(() => 0);
  let left = deduction;
  for (let k = 0; k < caps.length && left > 0; k++) {
    const take = Math.min(left, caps[k]);
    out[k] = take;
    left -= take;
  }
  if (left > 0) throw new Error(`spread: deduction ${deduction} exceeds capacity ${caps.reduce((a, b) => a + b, 0)}`);
  return out;
}

/** A random permutation of 0..n-1. */
function order(n: number, rng: Rng): number[] {
  return rng.shuffle(Array.from({ length: n }, (_, i) => i));
}

/**
 * Second-level scores of one firm. `charity` is the firm's charity points (decided at the
 * population level by splitAllSecondLevel); honesty records get the rest of Social Responsibility.
 */
export function splitSecondLevel(first: FirstLevelScores, rng: Rng, charity: number): SecondLevelScores {
  const sr = first.social_responsibility;
  const honesty = sr - charity;
  if (charity < 0 || charity > W2.charity || honesty < 0 || honesty > W2.honesty_records) {
    throw new Error(`splitSecondLevel: social_responsibility ${sr} cannot hold charity ${charity}`);
  }
  // Basic data: 20-point items; one indicator first (a random one), the rest to the other.
  const bd = 80 - first.basic_data;
  const bdOrder = order(2, rng);
  const bdCaps = [W2.key_personnel, W2.business_operation];
  const bdDed = spread(bd, bdOrder.map((k) => bdCaps[k]));
  const bdBy = [0, 0];
  bdOrder.forEach((k, pos) => (bdBy[k] = bdDed[pos]));
  // Finance and taxation: arrears (tax, 30-point items) for small deductions, financing records otherwise.
  const ft = 195 - first.finance_taxation;
  const taxFirst = ft <= W2.tax && rng.bernoulli(0.6);
  const [ftA, ftB] = taxFirst ? spread(ft, [W2.tax, W2.financial_condition]) : spread(ft, [W2.financial_condition, W2.tax]);
  const taxDed = taxFirst ? ftA : ftB;
  const finDed = taxFirst ? ftB : ftA;
  // Governance: three 30-point indicators in random order.
  const gv = 90 - first.governance;
  const gvOrder = order(3, rng);
  const gvDed = spread(gv, [30, 30, 30]);
  const gvBy = [0, 0, 0];
  gvOrder.forEach((k, pos) => (gvBy[k] = gvDed[pos]));
  // Compliance: serious dishonest acts is all-or-nothing (the list), the rest administrative / judicial.
  const cp = 450 - first.compliance;
  const seriousDed = cp >= W2.serious_dishonest_acts && (cp > W2.administrative_management + W2.judicial_records || rng.bernoulli(0.5)) ? W2.serious_dishonest_acts : 0;
  const adminFirst = rng.bernoulli(0.6);
  const rest = cp - seriousDed;
  const [cA, cB] = adminFirst ? spread(rest, [W2.administrative_management, W2.judicial_records]) : spread(rest, [W2.judicial_records, W2.administrative_management]);
  return {
    key_personnel: W2.key_personnel - bdBy[0],
    business_operation: W2.business_operation - bdBy[1],
    financial_condition: W2.financial_condition - finDed,
    tax: W2.tax - taxDed,
    product_quality: 30 - gvBy[0],
    production_safety: 30 - gvBy[1],
    environmental_protection: 30 - gvBy[2],
    administrative_management: W2.administrative_management - (adminFirst ? cA : cB),
    judicial_records: W2.judicial_records - (adminFirst ? cB : cA),
    serious_dishonest_acts: W2.serious_dishonest_acts - seriousDed,
    charity,
    honesty_records: honesty,
  };
}

/** Integer population totals allowed by "mean / max * 100 rounds to pct (2 decimals)". */
export function totalsForPercent(pct: number, max: number, n: number): [number, number] {
  const lo = Math.ceil(((pct - 0.005) / 100) * max * n - 1e-9);
  const hi = Math.floor(((pct + 0.005) / 100) * max * n + 1e-9);
  return [lo, hi];
}

/**
 * Choose every firm's charity so that the charity and honesty-record totals meet Figure 2, then
 * split all firms. Natural split first (honesty in {0, 60, 120}: the red list and honours, the
 * remainder charity), then charity points move to or from honours (partial honours points) at
 * randomly chosen firms until the charity total is exact.
 */
export function splitAllSecondLevel(
  firstById: Map<string, FirstLevelScores>,
  rng: Rng,
  figure2: { honestyPct: number; charityPct: number },
): Map<string, SecondLevelScores> {
  const ids = [...firstById.keys()];
  const n = ids.length;
  const sr = ids.map((id) => firstById.get(id)!.social_responsibility);
  const srTotal = sr.reduce((a, b) => a + b, 0);
  const [cLo, cHi] = totalsForPercent(figure2.charityPct, W2.charity, n);
  const [hLo, hHi] = totalsForPercent(figure2.honestyPct, W2.honesty_records, n);
  // Charity totals compatible with both percentages; the one nearest the charity centre.
  const feasible: number[] = [];
  for (let c = cLo; c <= cHi; c++) if (srTotal - c >= hLo && srTotal - c <= hHi) feasible.push(c);
  const centre = (figure2.charityPct / 100) * W2.charity * n;
  const target = feasible.length ? feasible.reduce((best, c) => (Math.abs(c - centre) < Math.abs(best - centre) ? c : best)) : Math.round(centre);
  const charity = sr.map((v) => {
    const h = v >= 120 ? 120 : v >= 60 ? 60 : 0;
    return Math.min(W2.charity, v - h);
  });
  // Honesty may hold at most 120: charity at least v - 120.
  const cMin = sr.map((v) => Math.max(0, v - W2.honesty_records));
  const cMax = sr.map((v) => Math.min(W2.charity, v));
  let total = charity.reduce((a, b) => a + b, 0);
  const idx = rng.shuffle(Array.from({ length: n }, (_, i) => i));
  // Prefer adjusting firms that already report charity (donation sizes vary), then any firm.
  const pass = [idx.filter((i) => charity[i] > 0), idx];
  for (const list of pass) {
    for (const i of list) {
      if (total === target) break;
      if (total > target) {
        const take = Math.min(total - target, charity[i] - cMin[i]);
        charity[i] -= take;
        total -= take;
      } else {
        const give = Math.min(target - total, cMax[i] - charity[i], charity[i] > 0 ? 65 : 5);
        charity[i] += give;
        total += give;
      }
    }
  }
  const out = new Map<string, SecondLevelScores>();
  ids.forEach((id, k) => out.set(id, splitSecondLevel(firstById.get(id)!, rng, charity[k])));
  return out;
}
