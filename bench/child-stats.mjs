// Preloaded into each benchmarked child (node --import): at exit, writes the child's own CPU time and peak
// memory (process.resourceUsage().maxRSS, in KiB) to the file named by GITOPS_GATE_BENCH_STATS.
import { writeFileSync } from 'node:fs';

const file = process.env.GITOPS_GATE_BENCH_STATS;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, maxRssKb: u.maxRSS }));
  });
}
