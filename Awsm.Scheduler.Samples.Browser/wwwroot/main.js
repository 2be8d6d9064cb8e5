import { dotnet } from './_framework/dotnet.js';

const $ = id => document.getElementById(id);
const statusEl = $('status');

// ---- requestAnimationFrame animation + frame probe (shows the page is not blocked) ----
const ball = $('ball').getContext('2d');
let frames = [];          // timestamps while a probe runs
let probing = false;
let fpsCount = 0, fpsT0 = performance.now();
function frame(t) {
    const x = 10 + (Math.sin(t / 300) + 1) * 70;
    ball.clearRect(0, 0, 160, 40);
    ball.fillStyle = '#f58231';
    ball.beginPath(); ball.arc(x, 20, 10, 0, Math.PI * 2); ball.fill();
    if (probing) frames.push(t);
    fpsCount++;
    if (t - fpsT0 >= 1000) { $('fps').textContent = `${Math.round(fpsCount * 1000 / (t - fpsT0))} fps`; fpsCount = 0; fpsT0 = t; }
    requestAnimationFrame(frame);
}
requestAnimationFrame(frame);

function startFrameProbe() { frames = []; probing = true; }
function stopFrameProbe() {
    probing = false;
    let maxGapMs = 0;
    for (let i = 1; i < frames.length; i++) maxGapMs = Math.max(maxGapMs, frames[i] - frames[i - 1]);
    const durationMs = frames.length > 1 ? frames[frames.length - 1] - frames[0] : 0;
    return { frames: frames.length, durationMs, maxGapMs, fps: durationMs > 0 ? (frames.length - 1) * 1000 / durationMs : 0 };
}

// ---- canvas painting, called from C# ([JSImport] module 'sample-page') ----
const fractal = $('fractal').getContext('2d');
function paintTile(x, y, w, h, rgba) {
    const pixels = new Uint8ClampedArray(rgba.slice().buffer); // MemoryView: copy out during the call
    fractal.putImageData(new ImageData(pixels, w, h), x, y);
}
function clearCanvas(w, h) { fractal.fillStyle = '#000'; fractal.fillRect(0, 0, w, h); }
function compareTile(x, y, w, h, fromRow, expected) {
    const actual = fractal.getImageData(x, y, w, h).data;
    const wanted = expected.slice(); // MemoryView: copy out during the call
    let differing = Math.abs(actual.length - wanted.length);
    for (let i = fromRow * w * 4; i < Math.min(actual.length, wanted.length); i++) if (actual[i] !== wanted[i]) differing++;
    return differing;
}

// ---- per-tile progress overlays (data-state, data-progress), called from C# (Page/TileProgress.cs) ----
const tilesEl = $('tiles');
let tileEls = [];
function resetTiles(rects) {
    tilesEl.replaceChildren();
    tileEls = [];
    for (let i = 0; i + 3 < rects.length; i += 4) {
        const el = document.createElement('div');
        el.className = 'tile';
        el.dataset.tile = String(i / 4);
        // CSSOM, not style attributes: csp.html's style-src 'self' allows these.
        el.style.left = rects[i] + 'px'; el.style.top = rects[i + 1] + 'px';
        el.style.width = rects[i + 2] + 'px'; el.style.height = rects[i + 3] + 'px';
        const label = document.createElement('span');
        const bar = document.createElement('div');
        bar.className = 'bar';
        bar.appendChild(document.createElement('div'));
        el.append(label, bar);
        tilesEl.appendChild(el);
        tileEls.push(el);
        setTile(tileEls.length - 1, 'queued', 0);
    }
    tilesEl.dataset.tiles = String(tileEls.length);
}
function setTile(index, state, progress) {
    const el = tileEls[index];
    if (!el) return;
    el.dataset.state = state;
    el.dataset.progress = String(progress);
    el.firstChild.textContent = state === 'running' ? `${Math.floor(progress * 100)}%` : '';
    el.lastChild.firstChild.style.width = `${progress * 100}%`;
}

// ---- a custom WorkerFactory (WebWorkerTransportOptions.WorkerFactory = 'awsmSampleFactory'), counted for the tests ----
window.awsmFactoryCalls = 0;
window.awsmSampleFactory = info => { window.awsmFactoryCalls++; return new Worker(info.url, info.options); };

// ---- plain JS worker: the postMessage floor the .NET worker is compared with, measured the same way ----
function startJsWorker() {
    const src = `self.addEventListener('message', e => { const m = e.data; self.postMessage({ kind: 'result', id: m.id, payload: m.payload }, [m.payload]); });
                 self.postMessage({ kind: 'ready' });`;
    const url = URL.createObjectURL(new Blob([src], { type: 'text/javascript' }));
    const t0 = performance.now();
    const worker = new Worker(url, { type: 'module' });
    return new Promise((resolve, reject) => {
        worker.addEventListener('message', e => { if (e.data.kind === 'ready') { URL.revokeObjectURL(url); resolve({ worker, startMs: performance.now() - t0 }); } }, { once: true });
        worker.addEventListener('error', e => reject(new Error('js worker error ' + e.message)));
    });
}

async function measureJsBaseline(count = 2000, size = 16) {
    const { worker, startMs } = await startJsWorker();
    let next = 0;
    const once = () => new Promise(resolve => {
        const id = String(++next);
        const buf = new ArrayBuffer(size);
        worker.addEventListener('message', function h(e) { if (e.data.id === id) { worker.removeEventListener('message', h); resolve(); } });
        worker.postMessage({ kind: 'job', id, name: 'echo', payload: buf }, [buf]);
    });
    for (let i = 0; i < 300; i++) await once();
    const samples = [];
    const t = performance.now();
    for (let i = 0; i < count; i++) { const t0 = performance.now(); await once(); samples.push((performance.now() - t0) * 1000); }
    const meanUs = (performance.now() - t) * 1000 / count;
    worker.terminate();
    samples.sort((a, b) => a - b);
    return { ok: true, count, size, startMs, medianUs: samples[count >> 1], p99Us: samples[Math.min(count - 1, Math.floor(count * 0.99))], meanUs, minUs: samples[0] };
}

try {
    const runtime = await dotnet.create();
    runtime.setModuleImports('sample-page', { paintTile, clearCanvas, compareTile, resetTiles, setTile });
    await runtime.runMain(); // on the page, Main returns at once; in workers it serves jobs
    const exports = await runtime.getAssemblyExports('Awsm.Scheduler.Samples.Browser');
    const App = exports.Awsm.Scheduler.Samples.Browser.Page.FractalApp;
    const E2e = exports.Awsm.Scheduler.Samples.Browser.Page.E2eHooks;
    const Conformance = exports.Awsm.Scheduler.Samples.Browser.Conformance.ConformanceHooks;
    const j = async p => JSON.parse(await p);

    async function render(overrides = {}) {
        const o = {
            workers: Number($('workers').value), strategy: $('strategy').value, iterations: Number($('iterations').value),
            zoom: Number($('zoom').value), handover: $('handover').checked, ...overrides,
        };
        $('workers').value = String(o.workers); $('strategy').value = o.strategy; $('iterations').value = String(o.iterations);
        $('zoom').value = String(o.zoom); $('handover').checked = o.handover;
        $('render').disabled = true;
        statusEl.textContent = `rendering with ${o.workers} worker(s)…`;
        try {
            const r = await j(App.Render(o.workers, o.strategy, o.iterations, o.zoom, o.handover));
            $('last').textContent = JSON.stringify(r, null, 1);
            statusEl.textContent = r.ok ? `done in ${Math.round(r.ms)} ms` : r.message;
            showStats();
            return r;
        } finally {
            $('render').disabled = false;
        }
    }

    $('render').addEventListener('click', () => render().catch(err => { statusEl.textContent = 'error: ' + err; }));
    function showStats() {
        const s = App.GetStats();
        if (s) $('stats').textContent = JSON.stringify(JSON.parse(s), null, 1);
    }
    setInterval(showStats, 200);

    // Hooks the browser tests drive (Awsm.Scheduler.Tests.Browser).
    window.awsm = {
        render,
        stats: () => { const s = App.GetStats(); return s ? JSON.parse(s) : null; },
        // The tile overlays: [{ tile, state, progress }] in tile order (the order they were dispatched in).
        tiles: () => tileEls.map(el => ({ tile: Number(el.dataset.tile), state: el.dataset.state, progress: Number(el.dataset.progress) })),
        verifyCanvas: (sample = 3) => JSON.parse(App.VerifyCanvas(sample)),
        startFrameProbe,
        stopFrameProbe,
        measureJsBaseline,
        // The conformance catalog over the WebWorker transport, one scenario per call (Conformance/ConformanceHooks.cs).
        conformance: {
            names: () => JSON.parse(Conformance.ScenarioNames()),
            run: name => j(Conformance.RunScenario(name)),
        },
        e2e: {
            tile: () => j(E2e.Tile()),
            unknownJob: () => j(E2e.UnknownJob()),
            crash: () => j(E2e.Crash()),
            terminateUnresponsive: () => j(E2e.TerminateUnresponsive()),
            roundTrip32MiB: () => j(E2e.RoundTrip32MiB()),
            malformed: () => j(E2e.Malformed()),
            startFailure: (dotnetUrl = null, factory = null) => j(E2e.StartFailure(dotnetUrl, factory)),
            startAndReportUrl: (factory = null) => j(E2e.StartAndReportUrl(factory)),
            measureStart: (workers, handover = false, shareModule = false) => j(E2e.MeasureStart(workers, handover, shareModule)),
            startAndRunOnEach: (workers, handover = true, shareModule = true) => j(E2e.StartAndRunOnEach(workers, handover, shareModule)),
            startEarlyFromDi: (workers = 3) => j(E2e.StartEarlyFromDi(workers)),
            measureRoundTrip: (count = 2000, size = 16) => j(E2e.MeasureRoundTrip(count, size)),
            measureTransportRoundTrip: (count = 2000, size = 16) => j(E2e.MeasureTransportRoundTrip(count, size)),
        },
    };
    $('render').disabled = false;
    statusEl.textContent = 'ready';
    window.awsmReady = true;
    if (new URLSearchParams(location.search).has('autorender')) await render();
} catch (err) {
    statusEl.textContent = 'error: ' + err;
    window.awsmError = String(err) + (err && err.stack ? '\n' + err.stack : '');
    console.error('[awsm sample] startup failed', err);
}
