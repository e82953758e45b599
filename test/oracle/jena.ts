// Apache Jena ARQ as the reference engine: its jars from Maven Central (pinned in jena/pom.xml,
// cached per machine in ~/.cache/kikv-datastation), our small Oracle.java compiled against them,
// one JVM that loads the data once and answers every query. Needs java, javac and mvn.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

const HERE = join(import.meta.dirname, 'jena');
const CACHE = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'kikv-datastation', 'jena-5.6.0');

/** The classpath of the oracle, fetched and compiled once per machine. */
export function jenaClasspath(): string {
  const libs = join(CACHE, 'libs'), classes = join(CACHE, 'classes');
  if (!existsSync(join(libs, 'jena-arq-5.6.0.jar'))) {
    mkdirSync(libs, { recursive: true });
    execFileSync('mvn', ['-q', '-B', '-f', join(HERE, 'pom.xml'), 'dependency:copy-dependencies', `-DoutputDirectory=${libs}`], { stdio: 'inherit' });
  }
  const sources = ['Oracle.java', 'W3cOracle.java'].map((f) => join(HERE, 'src', f));
  const stamp = join(classes, 'source.java');
  const text = sources.map((f) => readFileSync(f, 'utf8')).join('\n');
  if (!existsSync(stamp) || readFileSync(stamp, 'utf8') !== text) {
    mkdirSync(classes, { recursive: true });
    execFileSync('javac', ['-d', classes, '-cp', `${libs}/*`, ...sources], { stdio: 'inherit' });
    writeFileSync(stamp, text);
  }
  return `${classes}:${libs}/*`;
}

export type JenaAnswer = { rows: Record<string, { type: string; value: string; datatype?: string }>[] } | { boolean: boolean } | { error: string };

/** Run each query text over the union of the data files; answers in the order of the texts. */
export function askJena(dataFiles: string[], texts: string[], timeoutMs = 1_800_000): Promise<JenaAnswer[]> {
  return askJenaEach(texts.map((text) => ({ data: dataFiles, text })), timeoutMs);
}

/** Run each query over its own data files (in one JVM; consecutive cases on the same files share one load). */
export async function askJenaEach(cases: { data: string[]; text: string }[], timeoutMs = 1_800_000): Promise<JenaAnswer[]> {
  const dir = mkdtempSync(join(tmpdir(), 'jena-'));
  const lines: string[] = [];
  let loaded: string | undefined;
  const files = cases.map((c, i) => {
    const f = join(dir, `q${i}.rq`);
    writeFileSync(f, c.text);
    const data = c.data.join('\t');
    if (data !== loaded) {
      lines.push(`@data ${data}`);
      loaded = data;
    }
    lines.push(f);
    return f;
  });
  const child = spawn('java', ['-Xmx4g', '-cp', jenaClasspath(), 'Oracle', dir], { stdio: ['pipe', 'ignore', 'inherit'] });
  child.stdin.end(lines.join('\n') + '\n\n');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error('Jena did not finish in time'))), timeoutMs);
    child.on('exit', (code) => (clearTimeout(timer), code === 0 ? resolve() : reject(new Error(`Jena exited with ${code}`))));
  });
  return files.map((_, i) => {
    const json = JSON.parse(readFileSync(join(dir, `${i}.json`), 'utf8')) as { error?: string; boolean?: boolean; results?: { bindings: Record<string, { type: string; value: string; datatype?: string }>[] } };
    if (json.error !== undefined) return { error: json.error };
    if (typeof json.boolean === 'boolean') return { boolean: json.boolean };
    return { rows: json.results!.bindings };
  });
}

/** W3C evaluation tests on Jena, each over its own data: the SPARQL JSON answers land in the `out` files. */
export async function runJenaW3c(tests: { out: string; query: string; data: string[] }[], timeoutMs = 1_800_000): Promise<void> {
  const child = spawn('java', ['-Xmx2g', '-cp', jenaClasspath(), 'W3cOracle'], { stdio: ['pipe', 'ignore', 'ignore'] });
  child.stdin.end(tests.map((t) => `${t.out}\t${t.query}\t${t.data.join('|')}`).join('\n') + '\n\n');
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error('Jena did not finish in time'))), timeoutMs);
    child.on('exit', (code) => (clearTimeout(timer), code === 0 ? resolve() : reject(new Error(`Jena exited with ${code}`))));
  });
}
