/** Table 4: model (5) on each first-level sub-score. Run: npx tsx analyses/table4.ts [dataDir] [outDir] */
import { toText } from '../src/report/text.ts';
import { writeOutputsAtomically } from '../src/report/writeOutputs.ts';
import { TABLE4_MODELS, fitModels, table4Json, table4Layout } from '../src/study/models.ts';
import { tableFiles } from '../src/study/pipeline.ts';
import { sampleTable } from '../src/study/sample.ts';
import { loadSample, runScript } from './script.ts';

await runScript(async ({ dataDir, outDir }) => {
  const models = fitModels(sampleTable(loadSample(dataDir)), TABLE4_MODELS);
  const layout = table4Layout(models);
  await writeOutputsAtomically(outDir, tableFiles('table4', layout, table4Json(models)));
  process.stdout.write(toText(layout));
});
