/**
 * Credit ratings from the total score S (SPEC.md section 1): Excellent S >= 850,
 * Good 800 <= S < 850, Average 750 <= S < 800, Fair 700 <= S < 750, Poor S < 700.
 */

export type RatingName = 'Excellent' | 'Good' | 'Average' | 'Fair' | 'Poor';

/** One rating band: `min <= S < max` (max = Infinity for the top band, min = -Infinity for the bottom). */
export interface RatingBand {
  rating: RatingName;
  /** The rule as published.json prints it. */
  rule: string;
  min: number;
  max: number;
}

/** The bands from best to worst, as Table 1 lists them. */
export const RATING_BANDS: readonly RatingBand[] = [
  { rating: 'Excellent', rule: 'S >= 850', min: 850, max: Infinity },
  { rating: 'Good', rule: '800 <= S < 850', min: 800, max: 850 },
  { rating: 'Average', rule: '750 <= S < 800', min: 750, max: 800 },
  { rating: 'Fair', rule: '700 <= S < 750', min: 700, max: 750 },
  { rating: 'Poor', rule: 'S < 700', min: -Infinity, max: 700 },
];

/** The rating of a total score. Throws on NaN: every scored firm has a total. */
export function rateScore(score: number): RatingName {
  if (Number.isNaN(score)) throw new Error('rateScore: score is NaN');
  for (const band of RATING_BANDS) if (score >= band.min && score < band.max) return band.rating;
  throw new Error(`rateScore: no band for ${score}`);
}
