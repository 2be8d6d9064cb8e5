// Benchmark page (bench.html): the WebWorker transport (through the pool and bare) beside a plain JS worker doing the same
// 16 B echo ping-pong, and worker start time with and without resource handover and module sharing. `window.awsmBench.run(options)` returns
// the raw runs and a table; `?run` runs at once. The headless runner: `dotnet run -c Release --project
// Awsm.Scheduler.Samples.Browser.Server -- --bench`.
import { dotnet } from './_framework/dotnet.js';

const $ = id => document.getElementById(id);

// ---- the plain JS worker: echoes the payload back, transferred both ways; one listener, replies matched by id ----
const jsWorkerSource = `self.addEventListener('message', e => { const m = e.data; self.postMessage({ kind: 'result', id: m.id, payload: m.payload }, [m.payload]); });
self.postMessage({ kind: 'ready' });`;

async function startJsWorker() {
    const url = URL.createObjectURL(new Blob([jsWorkerSource], { type: 'text/javascript' }));
    const t0 = performance.now();
    const worker = new Worker(url, { type: 'module' });
    await new Promise((resolve, reject) => {
        worker.addEventListener('message', () => resolve(), { once: true });
        worker.addEventListener('error', e => reject(new Error('js worker error ' + e.message)), { once: true });
    });
    URL.revokeObjectURL(url);
    const startMs = performance.now() - t0;
    const pending = new Map();
    let next = 0;
    worker.addEventListener('message', e => { const r = pending.get(e.data.id); if (r) { pending.delete(e.data.id); r(e.data.payload); } });
    const echo = size => new Promise(resolve => {
        const id = ++next;
        const payload = new ArrayBuffer(size);
        pending.set(id, resolve);
        worker.postMessage({ kind: 'job', id, name: 'echo', payload }, [payload]);
    });
    return { worker, startMs, echo };
}

function latency(samples, totalMs) {
    samples.sort((a, b) => a - b);
    const n = samples.length;
    return { ok: true, count: n, medianUs: samples[n >> 1], p99Us: samples[Math.min(n - 1, Math.floor(n * 0.99))], meanUs: totalMs * 1000 / n };
}

async function jsRoundTrip(count, size) {
    const { worker, echo } = await startJsWorker();
    try {
        for (let i = 0; i < 300; i++) await echo(size);
        const samples = new Array(count);
        const t = performance.now();
        for (let i = 0; i < count; i++) { const t0 = performance.now(); await echo(size); samples[i] = (performance.now() - t0) * 1000; }
        return latency(samples, performance.now() - t);
    } finally { worker.terminate(); }
}

async function jsThroughput(total, inFlight, size) {
    const { worker, echo } = await startJsWorker();
    try {
        const lane = async jobs => { for (let i = 0; i < jobs; i++) await echo(size); };
        const run = jobs => Promise.all(Array.from({ length: inFlight }, () => lane(jobs)));
        await run(Math.floor(300 / inFlight) + 1);
        const t0 = performance.now();
        await run(Math.floor(total / inFlight));
        const ms = performance.now() - t0;
        const jobs = Math.floor(total / inFlight) * inFlight;
        return { ok: true, jobs, ms, jobsPerSecond: jobs * 1000 / ms };
    } finally { worker.terminate(); }
}

async function jsStart() {
    const { worker, startMs } = await startJsWorker();
    worker.terminate();
    return { ok: true, allReadyMs: startMs };
}

// ---- the runner ----
const runtime = await dotnet.create();
let sink = 0;
runtime.setModuleImports('sample-bench', { postJobShape: (t, i, id, name, payload) => { sink += payload.slice().buffer.byteLength + name.length; } });
await runtime.runMain(); // on the page Main returns at once; in workers it serves jobs
const exports = await runtime.getAssemblyExports('Awsm.Scheduler.Samples.Browser');
const Bench = exports.Awsm.Scheduler.Samples.Browser.Page.BenchHooks;
const j = async p => JSON.parse(await p);

function exportCallCost(count) {
    const one = new Uint8Array(16);
    for (let i = 0; i < 1000; i++) Bench.OnResultsShape(1, 0, 1, [i, 16], one);
    const t0 = performance.now();
    for (let i = 0; i < count; i++) Bench.OnResultsShape(1, 0, 1, [i, 16], one);
    return { ok: true, nsPerCall: (performance.now() - t0) * 1e6 / count };
}

const median = xs => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1]; };
const fmt = (v, digits = 0) => v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

const variants = {
    // key: [group, label, run]
    rtPool: ['rt', 'round trip, pool (DispatchAsync)', o => j(Bench.PoolRoundTrip(o.rtCount, o.size))],
    rtTransport: ['rt', 'round trip, bare transport (Send → Events)', o => j(Bench.TransportRoundTrip(o.rtCount, o.size))],
    rtJs: ['rt', 'round trip, plain JS worker', o => jsRoundTrip(o.rtCount, o.size)],
    rtTransportHop: ['rt', 'round trip, bare transport + one thread-pool hop per reply', o => j(Bench.TransportRoundTripWithHop(o.rtCount, o.size))],
    importCall: ['interop', 'one [JSImport] call shaped like postJob (C# → JS)', () => JSON.parse(Bench.ImportCallCost(20000))],
    exportCall: ['interop', 'one [JSExport] call shaped like OnResults (JS → C#)', () => exportCallCost(20000)],
    tpPool: ['tp', `throughput, pool`, o => j(Bench.PoolThroughput(o.tpTotal, o.inFlight, o.size))],
    tpTransport: ['tp', `throughput, bare transport`, o => j(Bench.TransportThroughput(o.tpTotal, o.inFlight, o.size))],
    tpJs: ['tp', `throughput, plain JS worker`, o => jsThroughput(o.tpTotal, o.inFlight, o.size)],
    start1: ['start', 'start, 1 worker', () => j(Bench.Start(1, false, false))],
    start1Handover: ['start', 'start, 1 worker, resource handover', () => j(Bench.Start(1, true, false))],
    start1Shared: ['start', 'start, 1 worker, resource handover + shared module', () => j(Bench.Start(1, true, true))],
    start4: ['start', 'start, 4 workers', () => j(Bench.Start(4, false, false))],
    start4Handover: ['start', 'start, 4 workers, resource handover', () => j(Bench.Start(4, true, false))],
    start4Shared: ['start', 'start, 4 workers, resource handover + shared module', () => j(Bench.Start(4, true, true))],
    startJs: ['start', 'start, 1 plain JS worker', () => jsStart()],
};

async function run(options = {}) {
    const o = { rounds: 5, rtCount: 2000, tpTotal: 20000, inFlight: 64, size: 16, only: null, ...options };
    const keys = Object.keys(variants).filter(k => !o.only || o.only.includes(k));
    const runs = Object.fromEntries(keys.map(k => [k, []]));
    const t0 = performance.now();
    for (let round = 0; round < o.rounds; round++) {
        // alternate the variants so that background noise hits them alike; rotate the order each round
        const order = keys.map((_, i) => keys[(i + round) % keys.length]);
        for (const key of order) {
            const r = await variants[key][2](o);
            if (!r.ok) throw new Error(`${key}: ${r.message}`);
            runs[key].push(r);
            console.log(`bench round ${round + 1}/${o.rounds} ${key}: ${JSON.stringify(r.timings ? { allReadyMs: r.allReadyMs } : r)}`);
        }
    }
    return { options: o, runs, table: table(runs, o), totalMs: performance.now() - t0, userAgent: navigator.userAgent };
}

function table(runs, o) {
    const rows = [['what', 'median', 'p99', 'vs plain JS (median of per-round ratios)', 'runs (median of each)']];
    const has = k => runs[k] && runs[k].length;
    const med = (k, p) => median(runs[k].map(r => r[p]));
    // each round's runs ran back to back, under the same conditions: compare within a round, then take the median
    const ratio = (k, base, p) => median(runs[k].map((r, i) => r[p] / runs[base][Math.min(i, runs[base].length - 1)][p]));
    for (const k of ['rtPool', 'rtTransport', 'rtTransportHop', 'rtJs'].filter(has)) {
        const m = med(k, 'medianUs');
        rows.push([variants[k][1], `${fmt(m)} µs`, `${fmt(med(k, 'p99Us'))} µs`, has('rtJs') ? `${fmt(ratio(k, 'rtJs', 'medianUs'), 2)}×` : '',
            runs[k].map(r => fmt(r.medianUs)).join(', ')]);
    }
    for (const k of ['importCall', 'exportCall'].filter(has)) {
        rows.push([variants[k][1], `${fmt(med(k, 'nsPerCall') / 1000, 1)} µs`, '', '', runs[k].map(r => fmt(r.nsPerCall / 1000, 1)).join(', ')]);
    }
    for (const k of ['tpPool', 'tpTransport', 'tpJs'].filter(has)) {
        const m = med(k, 'jobsPerSecond');
        rows.push([`${variants[k][1]}, ${o.inFlight} in flight`, `${fmt(m)} jobs/s`, '', has('tpJs') ? `${fmt(ratio(k, 'tpJs', 'jobsPerSecond'), 2)}×` : '',
            runs[k].map(r => fmt(r.jobsPerSecond)).join(', ')]);
    }
    for (const k of ['start1', 'start1Handover', 'start1Shared', 'start4', 'start4Handover', 'start4Shared', 'startJs'].filter(has)) {
        const m = med(k, 'allReadyMs');
        rows.push([variants[k][1], `${fmt(m)} ms`, '', has('startJs') && k !== 'startJs' ? `+${fmt(m - med('startJs', 'allReadyMs'))} ms` : '',
            runs[k].map(r => fmt(r.allReadyMs)).join(', ')]);
    }
    const phases = ['start1', 'start1Handover', 'start1Shared'].filter(has).map(k => {
        const t = p => fmt(median(runs[k].map(r => r.timings[0][p] ?? 0)));
        return `${variants[k][1]}: import ${t('importMs')} ms, create ${t('createMs')} ms, exports ${t('exportsMs')} ms, ` +
            `Main until RunAsync ${t('appMainMs')} ms, RunAsync until ready ${t('hostMs')} ms (worker side; ready → page ${t('toPageMs')} ms)`;
    });
    // module sharing: the shared start against the same start without it, and 4 shared workers against 1 (per round)
    const shares = [['start1Shared', 'start1Handover', '1 worker, shared module / without'], ['start4Shared', 'start4Handover', '4 workers, shared module / without'],
        ['start4Shared', 'start1Shared', 'shared module, 4 workers / 1 worker']].filter(([a, b]) => has(a) && has(b))
        .map(([a, b, what]) => `${what}: ${fmt(ratio(a, b, 'allReadyMs'), 2)}× (median of per-round ratios)`);
    for (const k of ['start1Shared', 'start4Shared'].filter(has)) {
        const all = runs[k].flatMap(r => r.timings);
        const sharedCount = all.filter(t => t.moduleShared === true).length;
        shares.push(`${variants[k][1]}: ${sharedCount} of ${all.length} worker starts instantiated the page's module` +
            (sharedCount < all.length ? ` (not shared: ${[...new Set(all.filter(t => t.moduleShared !== true).map(t => t.moduleNote))].join('; ')})` : ''));
    }
    phases.push(...shares);
    const md = rows.map((r, i) => `| ${r.join(' | ')} |` + (i === 0 ? '\n|' + r.map(() => '---').join('|') + '|' : '')).join('\n');
    return md + (phases.length ? '\n\n' + phases.join('\n') : '');
}

window.awsmBench = { run, ready: true };
const status = $('status');
async function runOnPage() {
    $('run').disabled = true;
    status.textContent = 'running…';
    try {
        const r = await run({ rounds: Number($('rounds').value) });
        $('table').textContent = r.table;
        status.textContent = `done in ${fmt(r.totalMs / 1000, 1)} s`;
    } catch (err) {
        status.textContent = 'error: ' + err;
    } finally {
        $('run').disabled = false;
    }
}
$('run').addEventListener('click', runOnPage);
$('run').disabled = false;
status.textContent = 'ready';
if (new URLSearchParams(location.search).has('run')) await runOnPage();
