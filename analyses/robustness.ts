/**
 * Robustness of the two findings of Table 3 model (5) (issue 5): other inference (HC3, city and
 * industry clusters, wild cluster bootstrap), other estimators (Tobit, ordered logit/probit, median
 * regression), winsorization levels, leave one city out, the score without Social Responsibility.
 * Run: npx tsx analyses/robustness.ts [dataDir] [outDir]   (same as `npm run robustness`)
 */
import { loadRawFolder } from '../src/data/load.ts';
import { toText } from '../src/report/text.ts';
import { writeOutputsAtomically } from '../src/report/writeOutputs.ts';
import { computeRobustness } from '../src/study/robustness.ts';
import { robustnessFiles, robustnessLayout } from '../src/study/robustnessReport.ts';
import { runScript } from './script.ts';

await runScript(async ({ dataDir, outDir }) => {
  const rob = computeRobustness(loadRawFolder(dataDir));
  await writeOutputsAtomically(outDir, await robustnessFiles(rob));
  process.stdout.write(toText(robustnessLayout(rob)));
});
