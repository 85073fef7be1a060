/**
 * Every model of test/fixtures/regression/*.json (R lm + sandwich, cross-checked with statsmodels and
 * estimatr; see /work/shared/reference/README.md) refitted by fitDesign: coefficients, every vcov
 * variant (se, t, p, Wald F), R², adjusted R², within R², F and sigma, to 1e-8 relative
 * (p-values 1e-8 absolute). FE models are fitted both with dummies and with absorbed FE.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fitDesign, type DesignInput } from '../src/stats/fitDesign.ts';
import { waldTerms } from '../src/stats/wald.ts';
import { feols } from '../src/stats/feols.ts';
import { readCsv as readCsvTable, toDataTable } from '../src/data/csv.ts';
import { fileURLToPath } from 'node:url';
import type { FitOptions, FitResult } from '../src/stats/types.ts';
import { splitCsvLine } from './helpers.ts';

const DIR = new URL('./fixtures/regression/', import.meta.url);
const REL = 1e-8;
const ABS_P = 1e-8;

/** Minimal CSV reader for the fixtures (no quoted commas in these files except model names, handled). */
function readCsv(file: string): Record<string, string[]> {
  const lines = readFileSync(new URL(file, DIR), 'utf8').trim().split(/\r?\n/);
  const head = splitCsvLine(lines[0]);
  const cols: Record<string, string[]> = Object.fromEntries(head.map((h) => [h, [] as string[]]));
  for (const l of lines.slice(1)) splitCsvLine(l).forEach((v, j) => cols[head[j]].push(v));
  return cols;
}

function factor(name: string, values: string[]) {
  const uniq = [...new Set(values)];
  const numeric = uniq.every((v) => v !== '' && Number.isFinite(Number(v)));
  uniq.sort(numeric ? (a, b) => Number(a) - Number(b) : (a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const code = new Map(uniq.map((v, i) => [v, i]));
  return { name, levels: uniq, codes: Int32Array.from(values, (v) => code.get(v)!) };
}

interface RefModel {
  id: string;
  formula: string;
  fixed_effects: string[];
  n: number;
  k: number;
  terms: string[];
  coefficients: (number | null)[];
  r_squared: number;
  adj_r_squared: number;
  within_r_squared?: number;
  f_statistic: { value: number; df1: number; df2: number; p: number };
  sigma: number;
  rss: number;
  tss: number;
  clusters: Record<string, number>;
  vcov: Record<string, { df: number; se: number[]; t: number[]; p: number[]; wald_f: { terms: string[]; value: number | null; df1: number; df2: number; p: number | null } }>;
  estimatr?: Record<string, { df: number; coefficients: number[]; se: number[]; r_squared?: number; within_r_squared?: number }>;
}

function design(cols: Record<string, string[]>, m: RefModel, clusterNames: string[]): DesignInput {
  const [lhs, rhs] = m.formula.split('~').map((s) => s.trim());
  const xs = rhs.split('+').map((s) => s.trim());
  const num = (c: string) => Float64Array.from(cols[c], Number);
  const y = num(lhs);
  const n = y.length;
  return {
    y,
    X: [new Float64Array(n).fill(1), ...xs.map(num)],
    names: ['(Intercept)', ...xs],
    fe: m.fixed_effects.map((f) => factor(f, cols[f])),
    clusters: clusterNames.map((c) => factor(c, cols[c])),
    rowsUsed: Int32Array.from({ length: n }, (_, i) => i),
    missingDropped: 0,
    model: { y: lhs, terms: xs.map((name) => ({ kind: 'var', name })), fe: m.fixed_effects, intercept: true },
  };
}

/** vcov variant name -> fit options. */
function optionsFor(name: string, m: RefModel): FitOptions {
  if (name === 'classical') return { vcov: 'iid' };
  if (/^HC[0-3]$/.test(name)) return { vcov: name as FitOptions['vcov'] };
  const rest = name.slice(3);
  const cl = Object.keys(m.clusters);
  if (cl.includes(rest)) return { cluster: [rest] };
  for (const a of cl) for (const b of cl) if (`${a}_${b}` === rest) return { cluster: [a, b] };
  throw new Error(`unknown vcov ${name}`);
}

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

const worst = { coef: 0, se: 0, t: 0, p: 0, wald: 0, stat: 0 };
function expectRel(got: number, want: number, what: string, kind: keyof typeof worst): void {
  const r = rel(got, want);
  worst[kind] = Math.max(worst[kind], r);
  expect(r, `${what}: got ${got}, want ${want}`).toBeLessThan(REL);
}
function expectP(got: number, want: number, what: string): void {
  const d = Math.abs(got - want);
  worst.p = Math.max(worst.p, d);
  expect(d, `${what}: got ${got}, want ${want}`).toBeLessThan(ABS_P);
}

function pick(fit: FitResult, term: string): number {
  const a = fit.terms.indexOf(term);
  if (a < 0) throw new Error(`term ${term} not in fit (${fit.terms.join(',')})`);
  return a;
}

const files = ['mtcars', 'swiss', 'CPS1988', 'PetersenCL', 'Fatalities'];

describe('regression references (R lm + sandwich)', () => {
  for (const file of files) {
    const ref = JSON.parse(readFileSync(new URL(`${file}.json`, DIR), 'utf8')) as { models: RefModel[] };
    const cols = readCsv(`${file}.csv`);
    for (const m of ref.models) {
      const methods: ('absorb' | 'dummies')[] = m.fixed_effects.length ? ['dummies', 'absorb'] : ['absorb'];
      for (const feMethod of methods) {
        it(`${m.id} (${m.fixed_effects.length ? feMethod : 'no FE'})`, () => {
          for (const [vname, v] of Object.entries(m.vcov)) {
            const o = optionsFor(vname, m);
            const fit = fitDesign(design(cols, m, o.cluster ?? []), { ...o, feMethod });
            const tag = `${m.id} ${feMethod} ${vname}`;
            expect(fit.n).toBe(m.n);
            expect(fit.k).toBe(m.k);
            expect(fit.dropped).toEqual([]);
            m.terms.forEach((term, j) => {
              const a = pick(fit, term);
              expectRel(fit.coef[a], m.coefficients[j]!, `${tag} coef ${term}`, 'coef');
              expectRel(fit.se[a], v.se[j], `${tag} se ${term}`, 'se');
              expectRel(fit.t[a], v.t[j], `${tag} t ${term}`, 't');
              expectP(fit.p[a], v.p[j], `${tag} p ${term}`);
            });
            expect(fit.vcovInfo.df).toBe(v.df);
            // Wald F of the reference's tested terms (non-FE slopes).
            const w = feMethod === 'absorb' || m.fixed_effects.length === 0
              ? { f: fit.f, df1: fit.fDf1, df2: fit.fDf2, p: fit.fP }
              : waldTerms(fit.terms, v.wald_f.terms, fit.coef, fit.vcov, fit.vcovInfo.df, fit.vcovInfo.nClusters?.length === 1 ? fit.vcovInfo.nClusters[0] - 1 : undefined);
            expect(w.df1).toBe(v.wald_f.df1);
            expect(w.df2).toBe(v.wald_f.df2);
            if (v.wald_f.value === null) {
              expect(w.f, `${tag} wald F should be undefined`).toBeNaN();
            } else {
              expectRel(w.f, v.wald_f.value, `${tag} wald F`, 'wald');
              expectP(w.p, v.wald_f.p!, `${tag} wald p`);
            }
            expectRel(fit.r2, m.r_squared, `${tag} r2`, 'stat');
            expectRel(fit.adjR2, m.adj_r_squared, `${tag} adj r2`, 'stat');
            expectRel(fit.rmse, m.sigma, `${tag} sigma`, 'stat');
            expectRel(fit.rss, m.rss, `${tag} rss`, 'stat');
            expectRel(fit.tss, m.tss, `${tag} tss`, 'stat');
            if (feMethod === 'absorb' && m.fixed_effects.length) {
              expectRel(fit.r2Within!, m.within_r_squared!, `${tag} within r2`, 'stat');
            } else expect(fit.r2Within).toBeNull();
            if (vname === 'classical' && (feMethod === 'dummies' || m.fixed_effects.length === 0)) {
              // summary.lm F (with FE dummies it also tests the dummies).
              expectRel(fit.f, m.f_statistic.value, `${tag} F`, 'stat');
              expect(fit.fDf1).toBe(m.f_statistic.df1);
              expect(fit.fDf2).toBe(m.f_statistic.df2);
              expectP(fit.fP, m.f_statistic.p, `${tag} F p`);
            }
          }
        });
      }
      it(`${m.id} estimatr lm_robust(se_type = "stata") blocks`, () => {
        for (const [name, e] of Object.entries(m.estimatr ?? {})) {
          const cl = name.replace(/^estimatr_stata_?/, '').replace(/^CL_/, '');
          const fit = fitDesign(design(cols, m, cl ? [cl] : []), cl ? { cluster: [cl] } : { vcov: 'HC1' });
          m.terms.forEach((term, j) => {
            const a = pick(fit, term);
            expectRel(fit.coef[a], e.coefficients[j], `${m.id} ${name} coef`, 'coef');
            expectRel(fit.se[a], e.se[j], `${m.id} ${name} se`, 'se');
          });
          expect(fit.vcovInfo.df).toBe(e.df);
          if (e.within_r_squared !== undefined) expectRel(fit.r2Within!, e.within_r_squared, `${m.id} ${name} within r2`, 'stat');
        }
      });
    }
  }
  // End to end through the formula parser, CSV reader and design builder (other modules).
  for (const file of files) {
    const ref = JSON.parse(readFileSync(new URL(`${file}.json`, DIR), 'utf8')) as { models: RefModel[] };
    const data = toDataTable(readCsvTable(fileURLToPath(new URL(`${file}.csv`, DIR))));
    for (const m of ref.models) {
      it(`${m.id} via feols (formula -> design -> fit), every vcov`, () => {
        const formula = m.formula + (m.fixed_effects.length ? ` | ${m.fixed_effects.join(' + ')}` : '');
        for (const [vname, v] of Object.entries(m.vcov)) {
          const fit = feols(data, formula, optionsFor(vname, m));
          expect(fit.k).toBe(m.k);
          m.terms.forEach((term, j) => {
            const a = pick(fit, term);
            expectRel(fit.coef[a], m.coefficients[j]!, `${m.id} feols coef ${term}`, 'coef');
            expectRel(fit.se[a], v.se[j], `${m.id} feols ${vname} se ${term}`, 'se');
            expectP(fit.p[a], v.p[j], `${m.id} feols ${vname} p ${term}`);
          });
          if (v.wald_f.value === null) expect(fit.f).toBeNaN();
          else expectRel(fit.f, v.wald_f.value, `${m.id} feols ${vname} F`, 'wald');
          if (m.fixed_effects.length) {
            // Dummies from the same formula: Stata `regress y x i.fe` (constant restored).
            const dum = feols(data, formula, { ...optionsFor(vname, m), feMethod: 'dummies' });
            expect(dum.terms[0]).toBe('(Intercept)');
            expect(dum.k).toBe(m.k);
            m.terms.forEach((term, j) => expectRel(dum.se[pick(dum, term)], v.se[j], `${m.id} feols dummies ${vname} se`, 'se'));
          }
        }
      });
    }
  }
  it('prints the worst relative errors', () => {
    console.log('worst relative error vs R:', Object.entries(worst).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', '));
  });
});
