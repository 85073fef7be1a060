/**
 * Table 3: total score on the covariates, models (1)-(5); OLS with industry and city FE dummies and
 * HC1 standard errors (Stata `regress ..., vce(robust)`). Run: npx tsx analyses/table3.ts [dataDir] [outDir]
 */
import { toText } from '../src/report/text.ts';
import { writeOutputsAtomically } from '../src/report/writeOutputs.ts';
import { TABLE3_MODELS, fitModels, table3Json, table3Layout } from '../src/study/models.ts';
import { tableFiles } from '../src/study/pipeline.ts';
import { sampleTable } from '../src/study/sample.ts';
import { loadSample, runScript } from './script.ts';

await runScript(async ({ dataDir, outDir }) => {
  const models = fitModels(sampleTable(loadSample(dataDir)), TABLE3_MODELS);
  const layout = table3Layout(models);
  await writeOutputsAtomically(outDir, tableFiles('table3', layout, table3Json(models)));
  process.stdout.write(toText(layout));
});
