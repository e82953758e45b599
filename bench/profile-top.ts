// The top self-time functions of a V8 CPU profile (from `node --cpu-prof` or bench:e2e's
// --cpu-prof-dir), and the inclusive time of the heaviest frames, as a plain table.
//   node dist/bench/profile-top.js <file.cpuprofile> [--top 30]
import { readFileSync } from 'node:fs';
import { arg, median } from './args.js';

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface Profile {
  nodes: Node[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: profile-top <file.cpuprofile> [--top 30]');
const top = Number(arg('top', '30'));
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
// Samples × the sampling interval, not the gaps between samples: a gap is wall time (the thread
// descheduled on a busy machine, or waiting), which the next or previous frame would be blamed for.
const interval = median(profile.timeDeltas.filter((d) => d > 0));
const selfUs = new Map<number, number>();
for (const id of profile.samples) selfUs.set(id, (selfUs.get(id) ?? 0) + interval);
const short = (url: string) => url.replace(/^.*\/node_modules\//, '~/').replace(/^file:\/\/.*\/dist\//, '');
const label = (n: Node) => `${n.callFrame.functionName || '(anonymous)'} ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}`;
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const [id, us] of selfUs) {
  const n = byId.get(id)!;
  self.set(label(n), (self.get(label(n)) ?? 0) + us);
  // each frame once per sample, however deep the recursion
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const l = label(byId.get(at)!);
    if (seen.has(l)) continue;
    seen.add(l);
    inclusive.set(l, (inclusive.get(l) ?? 0) + us);
  }
}
const total = profile.endTime - profile.startTime;
const idle = [...self].filter(([l]) => l.startsWith('(idle)')).reduce((a, [, us]) => a + us, 0);
const ms = (us: number) => (us / 1000).toFixed(1).padStart(8);
const pct = (us: number) => `${((100 * us) / total).toFixed(1).padStart(5)} %`;
console.log(`${file}: ${ms(total)} ms wall, ${ms(profile.samples.length * interval - idle)} ms sampled busy (interval ${interval} µs)`);
console.log('\nself time');
for (const [l, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ms ${pct(us)}  ${l}`);
console.log('\ninclusive time');
for (const [l, us] of [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ms ${pct(us)}  ${l}`);

// --callers <name>: where the self time of the functions called <name> comes from (3 frames up)
const callersOf = arg('callers', '');
if (callersOf) {
  const paths = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    if (n.callFrame.functionName !== callersOf) continue;
    const chain: string[] = [];
    for (let at = parent.get(id); at !== undefined && chain.length < 4; at = parent.get(at)) chain.push(label(byId.get(at)!));
    paths.set(chain.join(' < '), (paths.get(chain.join(' < ')) ?? 0) + us);
  }
  console.log(`\ncallers of ${callersOf}`);
  for (const [p, us] of [...paths].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ms  ${p}`);
}

// --by-file: self time summed by script (node_modules packages by package name)
if (process.argv.includes('--by-file')) {
  const files = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const url = byId.get(id)!.callFrame.url;
    const pkg = /\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
    const name = pkg ? `~/${pkg}` : short(url) || `(native ${byId.get(id)!.callFrame.functionName})`;
    files.set(name, (files.get(name) ?? 0) + us);
  }
  console.log('\nself time by file or package');
  for (const [f, us] of [...files].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${ms(us)} ms ${pct(us)}  ${f}`);
}
