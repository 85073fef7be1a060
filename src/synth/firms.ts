/**
 * Identity of the synthetic firms: invented ids and names, city, industry and dates.
 * Nothing here describes a real company: ids are "ZJ-SYN-0001"-style (never six-digit stock
 * codes) and every name starts with "Synthetic" and ends with "(fictional)".
 */
import type { Rng } from '../stats/rng.ts';

/** The 11 prefecture-level cities of Zhejiang with a relative weight for listed-firm counts (Hangzhou and Ningbo largest). */
export const CITIES: readonly { name: string; weight: number }[] = [
  { name: 'Hangzhou', weight: 150 },
  { name: 'Ningbo', weight: 95 },
  { name: 'Shaoxing', weight: 62 },
  { name: 'Taizhou', weight: 55 },
  { name: 'Jiaxing', weight: 45 },
  { name: 'Jinhua', weight: 45 },
  { name: 'Wenzhou', weight: 32 },
  { name: 'Huzhou', weight: 30 },
  { name: 'Lishui', weight: 7 },
  { name: 'Quzhou', weight: 6 },
  { name: 'Zhoushan', weight: 4 },
];

/**
 * CSRC 2012-style industry codes (manufacturing heavy, as Zhejiang's listed firms are), with
 * a product word for the invented names and a relative weight. The lowest code (C17, textiles)
 * is the regression's base industry, so it is kept a large group.
 */
export const INDUSTRIES: readonly { code: string; name: string; product: readonly string[]; weight: number }[] = [
  { code: 'C17', name: 'Textiles', product: ['Textile', 'Silk', 'Yarn'], weight: 30 },
  { code: 'C18', name: 'Apparel and accessories', product: ['Apparel', 'Garment'], weight: 12 },
  { code: 'C22', name: 'Paper and paper products', product: ['Paper', 'Packaging'], weight: 8 },
  { code: 'C26', name: 'Chemical raw materials and products', product: ['Chemical', 'Fine Chemicals', 'Coatings'], weight: 42 },
  { code: 'C27', name: 'Pharmaceuticals', product: ['Pharmaceutical', 'Biotech'], weight: 35 },
  { code: 'C29', name: 'Rubber and plastics', product: ['Plastics', 'Rubber'], weight: 18 },
  { code: 'C30', name: 'Non-metallic mineral products', product: ['Ceramics', 'Glass'], weight: 12 },
  { code: 'C32', name: 'Non-ferrous metal smelting and rolling', product: ['Copper', 'Alloy'], weight: 12 },
  { code: 'C33', name: 'Metal products', product: ['Hardware', 'Metalworks'], weight: 20 },
  { code: 'C34', name: 'General-purpose machinery', product: ['Valve', 'Pump', 'Bearing'], weight: 36 },
  { code: 'C35', name: 'Special-purpose machinery', product: ['Machinery', 'Equipment'], weight: 34 },
  { code: 'C36', name: 'Automobiles and parts', product: ['Auto Parts', 'Motor Components'], weight: 30 },
  { code: 'C38', name: 'Electrical machinery and equipment', product: ['Electric', 'Power Equipment', 'Lighting'], weight: 46 },
  { code: 'C39', name: 'Computers, communication and other electronic equipment', product: ['Electronics', 'Optoelectronics'], weight: 40 },
  { code: 'C40', name: 'Instruments and meters', product: ['Instruments', 'Meters'], weight: 12 },
  { code: 'C41', name: 'Other manufacturing', product: ['Crafts', 'Home Goods'], weight: 8 },
  { code: 'D44', name: 'Electricity and heat supply', product: ['Energy', 'Thermal Power'], weight: 8 },
  { code: 'E48', name: 'Civil engineering', product: ['Construction', 'Engineering'], weight: 12 },
  { code: 'F51', name: 'Wholesale trade', product: ['Trading', 'Supply Chain'], weight: 15 },
  { code: 'F52', name: 'Retail trade', product: ['Retail', 'Department Store'], weight: 9 },
  { code: 'I64', name: 'Internet services', product: ['Internet', 'Online Services'], weight: 9 },
  { code: 'I65', name: 'Software and IT services', product: ['Software', 'Information Technology'], weight: 35 },
  { code: 'K70', name: 'Real estate', product: ['Property', 'Real Estate'], weight: 12 },
  { code: 'N77', name: 'Ecological protection and environmental management', product: ['Environmental', 'Water Treatment'], weight: 8 },
  { code: 'R86', name: 'Radio, television, film and recording', product: ['Media', 'Film'], weight: 6 },
];

/** Invented place-like words for names (combined with "Synthetic ... (fictional)"). */
const NAME_WORDS: readonly string[] = [
  'Qiantang', 'Westlake', 'Jade Hill', 'Silver Creek', 'Blue Harbor', 'Cloud Peak', 'Pine Ridge', 'Bamboo Grove',
  'East Bay', 'Golden Sand', 'Willow Bank', 'Red Maple', 'Stone Bridge', 'Clear Spring', 'Tidewater', 'Orchid Vale',
  'Lotus Lake', 'North Star', 'Sunrise', 'Green Delta', 'Misty Isle', 'Crane Field', 'Amber Coast', 'Tea Terrace',
];
const SUFFIXES: readonly string[] = ['Co.', 'Group Co.', 'Technology Co.', 'Holdings Co.', 'Industrial Co.'];

/** Identity and placement of one firm before covariates exist. */
export interface FirmSkeleton {
  firm_id: string;
  name: string;
  city: string;
  industry: string;
  /** YYYY-MM-DD */
  listed: string;
  inSample: boolean;
}

/** Sample cutoff: firms listed strictly before this date form the regression sample. */
export const SAMPLE_CUTOFF = '2018-03-01';
/** Date the scores were collected (end date of Firm Age). */
export const COLLECTED = '2021-07-01';

/** Integer counts proportional to weights that add up to `total` (largest remainders; ties by order). */
export function apportion(weights: readonly number[], total: number): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const raw = weights.map((w) => (w * total) / sum);
  const out = raw.map((x) => Math.floor(x));
  let left = total - out.reduce((a, b) => a + b, 0);
  const order = raw.map((x, i) => ({ i, r: x - Math.floor(x) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) out[order[k].i]++;
  return out;
}

/** Days since 1970-01-01 of an ISO date (UTC). */
export function dayNumber(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / 86400000);
}

/** ISO date of a day number. */
export function isoDate(day: number): string {
  return new Date(day * 86400000).toISOString().slice(0, 10);
}

/** Completed whole years from `from` to `to` (both ISO dates), as the pipeline computes Firm Age. */
export function completedYears(from: string, to: string): number {
  const [fy, fm, fd] = from.split('-').map(Number);
  const [ty, tm, td] = to.split('-').map(Number);
  let years = ty - fy;
  if (tm < fm || (tm === fm && td < fd)) years--;
  return years;
}

/**
 * A random establishment date giving exactly `age` completed years at `collected`, and at least
 * `minGapDays` before `listed` when possible (firms list some years after founding).
 */
export function establishedFor(age: number, collected: string, listed: string, rng: Rng, minGapDays = 365): string {
  const [cy, cm, cd] = collected.split('-').map(Number);
  // Window of dates with exactly `age` completed years: (collected - (age+1) years, collected - age years].
  const latest = dayNumber(`${String(cy - age).padStart(4, '0')}-${String(cm).padStart(2, '0')}-${String(cd).padStart(2, '0')}`);
  const earliest = dayNumber(`${String(cy - age - 1).padStart(4, '0')}-${String(cm).padStart(2, '0')}-${String(cd).padStart(2, '0')}`) + 1;
  const hi = Math.min(latest, dayNumber(listed) - minGapDays);
  const top = hi >= earliest ? hi : latest;
  const date = isoDate(rng.int(earliest, top));
  if (completedYears(date, collected) !== age) throw new Error(`establishedFor: age ${age} not reproduced by ${date}`);
  return date;
}

/** Distinct invented names, deterministic given the rng. */
function makeNames(n: number, industries: readonly string[], rng: Rng): string[] {
  const used = new Set<string>();
  const names: string[] = [];
  for (let i = 0; i < n; i++) {
    const ind = INDUSTRIES.find((x) => x.code === industries[i]);
    const products = ind ? ind.product : ['Industrial'];
    let name = '';
    for (let attempt = 0; ; attempt++) {
      const word = rng.choice(NAME_WORDS);
      const product = rng.choice(products);
      const suffix = rng.choice(SUFFIXES);
      const roman = attempt < 20 ? '' : ` ${Math.floor(attempt / 20) + 1}`;
      name = `Synthetic ${word} ${product}${roman} ${suffix} (fictional)`;
      if (!used.has(name)) break;
    }
    used.add(name);
    names.push(name);
  }
  return names;
}

/**
 * The firm skeletons: `n` firms of which `nSample` listed before SAMPLE_CUTOFF (listed
 * 1994-2018, weighted to the 2010s) and the rest between the cutoff and 2021-06-30.
 * City and industry counts are apportioned from the weights above, and every city and industry
 * gets at least 3 in-sample firms when n allows, so no fixed-effect dummy is a singleton.
 */
export function makeFirms(n: number, nSample: number, rng: Rng): FirmSkeleton[] {
  if (!(Number.isInteger(n) && Number.isInteger(nSample) && nSample >= 0 && nSample <= n && n >= 1)) {
    throw new Error(`makeFirms: bad sizes n=${n}, nSample=${nSample}`);
  }
  const cityCounts = apportion(CITIES.map((c) => c.weight), n);
  const indCounts = apportion(INDUSTRIES.map((c) => c.weight), n);
  const cities = rng.shuffle(CITIES.flatMap((c, i) => new Array<string>(cityCounts[i]).fill(c.name)));
  const industries = rng.shuffle(INDUSTRIES.flatMap((c, i) => new Array<string>(indCounts[i]).fill(c.code)));
  // In-sample flags: give each city/industry up to 3 sample firms first, then fill at random.
  const inSample = new Array<boolean>(n).fill(false);
  let taken = 0;
  const minPer = n >= 200 ? 3 : 0;
  for (const groups of [cities, industries]) {
    const seen = new Map<string, number>();
    for (let i = 0; i < n && taken < nSample; i++) {
      const g = groups[i];
      const k = [...Array(n).keys()].filter((j) => groups[j] === g && inSample[j]).length;
      if (k < minPer && (seen.get(g) ?? 0) < minPer) {
        if (!inSample[i]) {
          inSample[i] = true;
          taken++;
        }
        seen.set(g, (seen.get(g) ?? 0) + 1);
      }
    }
  }
  const rest = rng.shuffle([...Array(n).keys()].filter((i) => !inSample[i]));
  for (const i of rest) {
    if (taken >= nSample) break;
    inSample[i] = true;
    taken++;
  }
  const names = makeNames(n, industries, rng);
  const cutoff = dayNumber(SAMPLE_CUTOFF);
  return Array.from({ length: n }, (_, i) => {
    let listed: number;
    if (inSample[i]) {
      // Listing years 1994-2018, skewed toward the 2010 and 2016-2017 IPO waves.
      const u = rng.uniform();
      const from = u < 0.25 ? dayNumber('1994-01-01') : u < 0.55 ? dayNumber('2004-01-01') : dayNumber('2010-01-01');
      listed = rng.int(from, cutoff - 1);
    } else {
      listed = rng.int(cutoff, dayNumber('2021-06-30'));
    }
    return {
      firm_id: `ZJ-SYN-${String(i + 1).padStart(4, '0')}`,
      name: names[i],
      city: cities[i],
      industry: industries[i],
      listed: isoDate(listed),
      inSample: inSample[i],
    };
  });
}

/**
 * A listing date at least `minGapDays` after `established`, inside [from, to] (ISO dates);
 * `to` when the window is empty. Used when a drawn listing date precedes the founding.
 */
export function listingAfter(established: string, from: string, to: string, rng: Rng, minGapDays = 365): string {
  const lo = Math.max(dayNumber(established) + minGapDays, dayNumber(from));
  const hi = dayNumber(to);
  return isoDate(lo <= hi ? rng.int(lo, hi) : hi);
}
