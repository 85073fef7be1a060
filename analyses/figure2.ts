/** Figure 2: mean score as percent of maximum per second-level indicator, all scored firms. Run: npx tsx analyses/figure2.ts [dataDir] [outDir] */
import { writeOutputsAtomically } from '../src/report/writeOutputs.ts';
import { FIGURE2_TITLE, figureFiles, jsonText } from '../src/study/pipeline.ts';
import { computeFigure2 } from '../src/study/tables.ts';
import { loadSample, runScript } from './script.ts';

await runScript(async ({ dataDir, outDir }) => {
  const { scored } = loadSample(dataDir);
  const values = computeFigure2(scored);
  await writeOutputsAtomically(outDir, await figureFiles('figure2', FIGURE2_TITLE, values, scored.length));
  process.stdout.write(jsonText(values));
});
