import { availableParallelism } from 'node:os';
import { relative } from 'node:path';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The longest test files, longest first. Vitest orders files by the durations it cached on the
 * last run, but a clean clone (CI) has no cache and runs larger files first, so the byte-for-byte
 * resume (about 6 minutes, a small file) would start last and run alone. Started first, it
 * overlaps with everything else.
 */
const LONGEST = ['test/replication-checkpoint.test.ts', 'test/calibrate.test.ts', 'test/cli-fit.test.ts'];

class LongestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const k = LONGEST.indexOf(relative(f.project.config.root, f.moduleId).split('\\').join('/'));
      return k < 0 ? LONGEST.length : k;
    };
    return sorted.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i).map(({ f }) => f);
  }
}

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // One worker per core: vitest's default leaves one core idle (cores - 1), which on the 2-core
    // CI machine ran every file in one process, one after another.
    maxWorkers: availableParallelism(),
    sequence: { sequencer: LongestFirst },
  },
});
