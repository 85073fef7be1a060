/** Figure 1: mean score as percent of maximum per first-level indicator, all scored firms. Run: npx tsx analyses/figure1.ts [dataDir] [outDir] */
import { writeOutputsAtomically } from '../src/report/writeOutputs.ts';
import { FIGURE1_TITLE, figureFiles, jsonText } from '../src/study/pipeline.ts';
import { computeFigure1 } from '../src/study/tables.ts';
import { loadSample, runScript } from './script.ts';

await runScript(async ({ dataDir, outDir }) => {
  const { scored } = loadSample(dataDir);
  const values = computeFigure1(scored);
  await writeOutputsAtomically(outDir, await figureFiles('figure1', FIGURE1_TITLE, values, scored.length));
  process.stdout.write(jsonText(values));
});
