/** Table 2: summary statistics of the (winsorized) regression sample. Run: npx tsx analyses/table2.ts [dataDir] [outDir] */
import { toText } from '../src/report/text.ts';
import { writeOutputsAtomically } from '../src/report/writeOutputs.ts';
import { tableFiles } from '../src/study/pipeline.ts';
import { computeTable2, table2Layout } from '../src/study/tables.ts';
import { loadSample, runScript } from './script.ts';

await runScript(async ({ dataDir, outDir }) => {
  const sample = loadSample(dataDir);
  const table2 = computeTable2(sample);
  const layout = table2Layout(table2);
  await writeOutputsAtomically(outDir, tableFiles('table2', layout, table2));
  process.stdout.write(toText(layout));
});
