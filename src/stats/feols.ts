/**
 * OLS with fixed effects from a formula, fixest-style: `feols(data, 'y ~ x1 + x2 | fe1 + fe2', opts)`.
 * Composition only: parseFormula (formula.ts) -> buildDesign (design.ts) -> fitDesign (fitDesign.ts).
 */
import type { DataTable, FitOptions, FitResult, ModelSpec } from './types.ts';
import { toModelSpec } from './formula.ts';
import { buildDesign } from './design.ts';
import { fitDesign } from './fitDesign.ts';

/** Fit `model` (formula text or ModelSpec) on `data`. Bad input throws InputError. */
export function feols(data: DataTable, model: string | ModelSpec, opts: FitOptions = {}): FitResult {
  const spec = toModelSpec(model, Object.keys(data.columns));
  const design = buildDesign(data, spec, { cluster: opts.cluster });
  return fitDesign(design, opts);
}
