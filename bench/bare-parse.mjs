// The benchmark's baseline: parse every manifest of a tree with the `yaml` package and nothing else.
// Files are read into memory first, so only parsing is timed. Prints one JSON line.
// Usage: node bench/bare-parse.mjs DIR
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { parseEvents } from 'js-yaml';

function walk(dir, out) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === '.git') continue;
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

const texts = walk(process.argv[2], []).map((p) => readFileSync(p, 'utf8'));
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let docs = 0;
for (const t of texts) docs += parseAllDocuments(t).length;
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const maxRssKb = process.resourceUsage().maxRSS;
// For context, not the baseline: the same texts through js-yaml's event parser, which the gate uses for
// plain YAML (src/manifests/yaml-fast.ts).
const t1 = performance.now();
for (const t of texts) parseEvents(t, {});
const eventsMs = performance.now() - t1;
console.log(JSON.stringify({ files: texts.length, docs, ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb, eventsMs }));
