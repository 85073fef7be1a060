/** Table 1: distribution of ratings and scores, all scored firms. Run: npx tsx analyses/table1.ts [dataDir] [outDir] */
import { toText } from '../src/report/text.ts';
import { writeOutputsAtomically } from '../src/report/writeOutputs.ts';
import { tableFiles } from '../src/study/pipeline.ts';
import { computeTable1, table1Layout } from '../src/study/tables.ts';
import { loadSample, runScript } from './script.ts';

await runScript(async ({ dataDir, outDir }) => {
  const sample = loadSample(dataDir);
  const table1 = computeTable1(sample.scored);
  const layout = table1Layout(table1);
  await writeOutputsAtomically(outDir, tableFiles('table1', layout, table1));
  process.stdout.write(toText(layout));
});
