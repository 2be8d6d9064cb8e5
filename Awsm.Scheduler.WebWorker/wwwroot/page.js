// Awsm.Scheduler.WebWorker: PAGE side of the Web Worker transport.
// Embedded in Awsm.Scheduler.WebWorker.dll and imported by C# through JSHost.ImportAsync(<data: URL>), so by default it
// needs no static web asset, no fingerprint and no base-path handling. It also ships as a static web asset
// (_content/Awsm.Scheduler.WebWorker/page.js, beside worker.js): C# imports that copy when the page's Content-Security-Policy
// refuses the data: URL or WebWorkerTransportOptions.UseSameOriginScripts asks for it, and workers then start from the
// same-origin worker.js instead of a Blob URL. A blob: worker the policy refuses is retried from worker.js once.
//
// Page -> worker:  {kind:'init', config, resources?, wasm?, moduleNote?}   (first message; config = dotnetUrl, lib names, index;
//                      resources = { fileName: Blob }: the runtime files the page already fetched, posted as Blobs;
//                      wasm = { module: WebAssembly.Module, name, size, compileMs }: dotnet.native.wasm compiled once on the
//                      page, or null with moduleNote saying why)
//                  {kind:'batch', items: [...]}: everything queued for the worker during one macrotask, in order;
//                      a job is 0, id, name, payload: ArrayBuffer (transferred), traceParent, traceState; a cancel is 1, id
// Worker -> page:  {kind:'ready', timings} | {kind:'init-error', phase, errorType, message, stack}
//                  {kind:'results', items: [id, ArrayBuffer (transferred), id, ArrayBuffer, ...]} (one macrotask's results)
//                  {kind:'progress', id, payload: ArrayBuffer (transferred)}   (a running job's latest progress value)
//                  {kind:'error', id, errorKind, errorType, message, stack}
//                  {kind:'fatal', message}   (the worker's .NET runtime exited or aborted)
// Job ids are numbers (exact up to 2^53). Results go to C# as OnResults(transport, index, generation, meta, data): one call
// per message, meta = [id, end, id, end, ...], the payloads back to back in data. Every other event goes to C# as
// OnWorkerEvent(transport, index, generation, kind, id, payload, errorKind, errorType, message, stack).

const CONCAT_LIMIT = 64 * 1024; // results up to this total are copied into one array (one interop call); bigger ones go alone

let onEvent = null;        // [JSExport] PageInterop.OnWorkerEvent, bound in init()
let onResults = null;      // [JSExport] PageInterop.OnResults
let workerSource = null;   // worker bootstrap source; each worker gets a Blob URL of it
let sameOriginUrl = null;  // absolute URL of the same-origin copy of the bootstrap (_content/Awsm.Scheduler.WebWorker/worker.js)
let blobRefused = false;   // the page's CSP refused a blob: worker (or the data: page module): every later worker uses sameOriginUrl
const workers = new Map(); // `${transport}:${index}` -> state

// Diagnostics: the longest synchronous chunk this module ran on the page's main thread in a task of its own (creating a
// worker, posting its init, flushing a batch, handling a worker message, C# handlers it calls included), in ms. The spawn
// queue is shared by every transport of the page, so the maximum is page-wide. Two performance.now() calls per chunk; a
// chunk longer than 50 ms (a long task: the page missed frames because of it) is also reported on the console.
let longestChunk = 0;
function chunkEnded(t0, what) {
    const ms = performance.now() - t0;
    if (ms > longestChunk) longestChunk = ms;
    if (ms > 50) console.warn(`awsm: ${what} held the page's main thread for ${ms.toFixed(1)} ms`);
}

export function longestChunkMs() { return longestChunk; }

function pathGet(obj, dotted) {
    return dotted.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

export async function init(assemblyName, className, workerScript, workerUrl, strictPolicy) {
    const getRuntime = globalThis.getDotnetRuntime;
    if (typeof getRuntime !== 'function') throw new Error('globalThis.getDotnetRuntime is missing: is the .NET runtime started on this page?');
    const exports = await getRuntime(0).getAssemblyExports(assemblyName);
    const cls = pathGet(exports, className);
    if (!cls || typeof cls.OnWorkerEvent !== 'function' || typeof cls.OnResults !== 'function') throw new Error(`[JSExport] ${className}.OnWorkerEvent/OnResults not found in ${assemblyName} (trimmed?)`);
    onEvent = cls.OnWorkerEvent;
    onResults = cls.OnResults;
    workerSource = workerScript;
    sameOriginUrl = workerUrl;
    if (strictPolicy) blobRefused = true;
    document.addEventListener('securitypolicyviolation', onCspViolation);
}

// Where is the app's dotnet.js? explicit > import map (fingerprinted Blazor dotnet.js) > what the page loaded > <base>/_framework/dotnet.js.
// Always absolute: a Blob-URL worker can't resolve relative URLs against the page, and workers don't see the page's import map.
export function resolveDotnetUrl(explicitUrl) {
    const base = document.baseURI;
    if (explicitUrl) return new URL(explicitUrl, base).href;
    for (const el of document.querySelectorAll('script[type="importmap"]')) {
        try {
            const imports = JSON.parse(el.textContent).imports || {};
            for (const [key, value] of Object.entries(imports)) {
                if (/(^|\/)_framework\/dotnet\.js$/.test(key)) return new URL(value, base).href;
            }
        } catch { /* a broken import map is not ours to report */ }
    }
    const seen = performance.getEntriesByType('resource').map(e => e.name).find(n => /\/_framework\/dotnet(\.[a-z0-9]+)?\.js(\?|$)/.test(n));
    if (seen) return seen;
    return new URL('_framework/dotnet.js', base).href;
}

function deliver(state, kind, id, bytes, errorKind, errorType, message, stack) {
    if (state.dead) return; // nothing a dead or terminated worker sent is delivered
    onEvent(state.transport, state.index, state.generation, kind, id ?? null, bytes ?? null, errorKind ?? null, errorType ?? null, message ?? null, stack ?? null);
}

function str(v) { return typeof v === 'string' ? v : null; }

function idText(v) { return typeof v === 'number' ? String(v) : str(v); }

function isId(v) { return typeof v === 'number' && Number.isSafeInteger(v) && v > 0; }

// One OnResults call per worker message when the payloads are small (copied into one array), else one per result.
function deliverResults(state, items) {
    if (state.dead) return;
    const n = items.length >> 1;
    let total = 0;
    for (let i = 0; i < n; i++) {
        const id = items[2 * i], buf = items[2 * i + 1];
        if (!isId(id) || !(buf instanceof ArrayBuffer)) {
            deliver(state, '#malformed', null, null, null, null, `result envelope for job '${String(id)}' without a valid id and ArrayBuffer payload`, null);
            return;
        }
        total += buf.byteLength;
    }
    if (n === 1 || total > CONCAT_LIMIT) {
        for (let i = 0; i < n && !state.dead; i++) {
            const buf = items[2 * i + 1];
            onResults(state.transport, state.index, state.generation, [items[2 * i], buf.byteLength], new Uint8Array(buf));
        }
        return;
    }
    const data = new Uint8Array(total);
    const meta = new Float64Array(2 * n);
    let end = 0;
    for (let i = 0; i < n; i++) {
        const buf = items[2 * i + 1];
        data.set(new Uint8Array(buf), end);
        end += buf.byteLength;
        meta[2 * i] = items[2 * i];
        meta[2 * i + 1] = end;
    }
    onResults(state.transport, state.index, state.generation, meta, data);
}

function revoke(state) {
    if (state.blobUrl) { URL.revokeObjectURL(state.blobUrl); state.blobUrl = null; }
}

function kill(state) {
    state.dead = true;
    state.outbox = null;
    revoke(state);
    try { state.worker?.terminate(); } catch { /* already gone */ }
    if (workers.get(state.key) === state) workers.delete(state.key);
    kick();
}

function onMessage(state, m) {
    if (state.dead) return;
    if (!m || typeof m !== 'object') {
        deliver(state, '#malformed', null, null, null, null, `message of type ${m === null ? 'null' : typeof m} (an object with a kind was expected)`, null);
        return;
    }
    switch (m.kind) {
        case 'ready':
            state.ready = true;
            revoke(state);
            {
                // createdAtMs / readyAtMs: the page's clock (performance.now()) when the worker was created and when it was ready
                const now = performance.now();
                const timings = { startMs: now - state.t0, queuedMs: (state.createdAt ?? state.t0) - state.t0, createdAtMs: state.createdAt ?? state.t0, readyAtMs: now, ...(m.timings || {}) };
                if (typeof timings.readyAt === 'number') { timings.toPageMs = performance.timeOrigin + performance.now() - timings.readyAt; delete timings.readyAt; }
                deliver(state, 'ready', null, null, null, null, JSON.stringify(timings), null);
            }
            kick();
            break;
        case 'init-error': {
            const text = `${str(m.errorType) ?? 'Error'}: ${str(m.message) ?? '(no message)'}` + (m.phase ? ` [phase: ${m.phase}]` : '');
            deliver(state, 'init-error', null, null, null, null, text, str(m.stack));
            kill(state);
            break;
        }
        case 'results':
            if (Array.isArray(m.items) && (m.items.length & 1) === 0) deliverResults(state, m.items);
            else deliver(state, '#malformed', null, null, null, null, 'results envelope without an [id, ArrayBuffer, ...] list', null);
            break;
        case 'progress':
            if (isId(m.id) && m.payload instanceof ArrayBuffer) deliver(state, 'progress', String(m.id), new Uint8Array(m.payload));
            else deliver(state, '#malformed', null, null, null, null, 'progress envelope without a valid id and ArrayBuffer payload', null);
            break;
        case 'error':
            deliver(state, 'error', idText(m.id), null, str(m.errorKind), str(m.errorType), str(m.message), str(m.stack));
            break;
        case 'fatal':
            deliver(state, state.ready ? 'crash' : 'init-error', null, null, null, null, `the worker's .NET runtime stopped: ${str(m.message) ?? '(no reason)'}`, null);
            kill(state);
            break;
        default:
            deliver(state, str(m.kind) ?? '#malformed', idText(m.id), null, null, null, `envelope of unknown kind '${String(m.kind)}'`, null);
    }
}

function cspMessage(detail) {
    return `The page's Content-Security-Policy refused the worker script from a blob: URL (${detail}). ` +
        `Allow it with "worker-src 'self' blob:" (or script-src when worker-src is absent), or serve the same-origin copy ` +
        `_content/Awsm.Scheduler.WebWorker/worker.js (a static web asset of the package, used automatically when blob: is refused), ` +
        `or set WebWorkerTransportOptions.WorkerFactory to create the worker from a same-origin script holding WebWorkerTransport.BootstrapScript.`;
}

// Chromium may report a CSP refusal of a worker asynchronously (fetch-time check) instead of throwing from new Worker.
// Such a worker never starts: start it again from the same-origin bootstrap, and start every later worker from there.
function onCspViolation(e) {
    if (!String(e.blockedURI || '').startsWith('blob:') && e.blockedURI !== 'blob') return;
    const t0 = performance.now();
    blobRefused = true;
    for (const state of workers.values()) {
        if (!state.ready && !state.dead && state.blobUrl) {
            const failure = spawn(state, null, `violated directive '${e.effectiveDirective || e.violatedDirective}'`);
            if (failure) { deliver(state, 'init-error', null, null, null, null, failure, null); kill(state); }
        }
    }
    chunkEnded(t0, 're-creating workers refused by the CSP');
}

// Resource handover (optional): the page's runtime already fetched dotnet.native.wasm, the assemblies and the ICU shard;
// re-read them once (HTTP cache) as Blobs and post those to each new worker, whose dotnet.withResourceLoader(...) answers
// from them. A Blob is posted as a handle to the browser's blob store: nothing is copied or read on the page's main thread
// per worker, so starting several workers does not stall the page (posting ArrayBuffers cloned megabytes per worker).
let resourceCache = null;

// The runtime's assets as the page's dotnet.js knows them: name -> SRI hash (empty when the app checks no integrity).
function runtimeAssets() {
    const config = globalThis.getDotnetRuntime(0).getConfig();
    const r = config.resources || {};
    const checked = !config.disableIntegrityCheck;
    const hashOf = a => (checked && typeof a.hash === 'string' && a.hash.startsWith('sha') ? a.hash : '');
    return {
        wasm: (r.wasmNative || []).map(a => ({ name: a.name, hash: hashOf(a) })),
        others: [...(r.coreAssembly || []), ...(r.assembly || []), ...(r.icu || [])].map(a => ({ name: a.name, hash: hashOf(a) })),
    };
}

// What the page itself loaded, by file name -> the URL it loaded it from (e.g. one ICU shard of three).
function fetchedUrls() {
    return new Map(performance.getEntriesByType('resource').map(e => [e.name.split('/').pop().split('?')[0], e.name]));
}

// One runtime file as a Blob, read again from where the page loaded it (the HTTP cache), checked against its SRI hash.
async function readAsset(asset, fetched, dotnetUrl) {
    const init = { cache: 'force-cache' };
    if (asset.hash) init.integrity = asset.hash;
    const res = await fetch(fetched.get(asset.name) ?? new URL(asset.name, dotnetUrl), init);
    if (!res.ok) throw new Error(`GET ${asset.name} -> ${res.status}`);
    return res.blob();
}

function collectResources(dotnetUrl) {
    if (resourceCache) return resourceCache;
    resourceCache = (async () => {
        const assets = runtimeAssets();
        const fetched = fetchedUrls();
        // only the native wasm is checked against its hash here (its bytes are compiled on this page when the module is
        // shared); checking every file would hash megabytes on the page's thread while workers start
        const wanted = [...assets.wasm, ...assets.others.map(a => ({ name: a.name, hash: '' }))].filter(a => fetched.has(a.name));
        const entries = await Promise.all(wanted.map(async a => [a.name, await readAsset(a, fetched, dotnetUrl)]));
        return Object.fromEntries(entries);
    })();
    resourceCache.catch(() => { resourceCache = null; });
    return resourceCache;
}

// Module sharing (optional): compile dotnet.native.wasm once on the page, from the bytes of the handover (or, without
// handover, read once for this), and post the WebAssembly.Module to each new worker. A module is posted as a reference to
// the compiled code, which the worker's runtime instantiates instead of compiling the file again. Resolves to
// { module, name, size, compileMs } or { note } saying why there is nothing to share; never rejects.
let moduleCache = null;
function compiledModule(dotnetUrl, handover) {
    if (moduleCache) return moduleCache;
    moduleCache = (async () => {
        if (typeof WebAssembly !== 'object' || typeof WebAssembly.compile !== 'function') return { note: 'this browser has no WebAssembly.compile on the page' };
        const wasm = runtimeAssets().wasm[0];
        if (!wasm) return { note: "the page's runtime names no dotnet.native wasm (resources.wasmNative)" };
        let blob;
        try {
            blob = handover ? (await collectResources(dotnetUrl))[wasm.name] : undefined;
            if (!(blob instanceof Blob)) blob = await readAsset(wasm, fetchedUrls(), dotnetUrl);
        } catch (err) {
            return { note: `the page could not read ${wasm.name}: ${err && err.message ? err.message : err}` };
        }
        const t0 = performance.now();
        try {
            // streaming from a Response compiles off the main thread as the bytes arrive; without it, from the bytes
            const module = typeof WebAssembly.compileStreaming === 'function'
                ? await WebAssembly.compileStreaming(new Response(blob, { headers: { 'content-type': 'application/wasm' } }))
                : await WebAssembly.compile(await blob.arrayBuffer());
            return { module, name: wasm.name, size: blob.size, compileMs: performance.now() - t0 };
        } catch (err) {
            return { note: `the page could not compile ${wasm.name}: ${err && err.name ? err.name : 'Error'}: ${err && err.message ? err.message : err}` };
        }
    })();
    return moduleCache;
}

// Returns null: the worker is created later, in a task of its own (it reports ready / init-error later, a failure to
// create it included). Creations wait in one queue and run a few milliseconds apart, so starting several workers never
// holds the page's main thread for all of them in one go: the page renders frames between two creations.
const SPAWN_SPACING_MS = 4;
const spawnQueue = [];
let spawnTimer = 0;

export function createWorker(transport, index, generation, configJson, factoryPath) {
    const key = `${transport}:${index}`;
    const previous = workers.get(key);
    if (previous) kill(previous);
    const config = JSON.parse(configJson);
    config.index = index;
    const name = `awsm-${config.pool}-${index}`;
    const state = { key, transport, index, generation, config, name, factoryPath, worker: null, blobUrl: null, sameOrigin: false, t0: performance.now(), ready: false, dead: false, outbox: null, transfer: null };
    workers.set(key, state);
    spawnQueue.push(state);
    if (!spawnTimer) spawnTimer = setTimeout(spawnNext, 0);
    return null;
}

function spawnNext() {
    const t0 = performance.now();
    try {
        spawnOne();
    } finally {
        chunkEnded(t0, 'creating a worker');
    }
}

function spawnOne() {
    spawnTimer = 0;
    const next = spawnQueue[0];
    if (next && !next.dead && ((next.config.handover && !resourceCache) || (next.config.shareModule && !moduleCache))) {
        // start reading the resources to hand over (many fetches) and compiling the module to share in this task, the
        // first worker in the next one
        if (next.config.handover) collectResources(next.config.dotnetUrl).catch(() => { /* reported when a worker needs them */ });
        if (next.config.shareModule) compiledModule(next.config.dotnetUrl, next.config.handover);
        spawnTimer = setTimeout(spawnNext, SPAWN_SPACING_MS);
        return;
    }
    // a pool that starts one worker at a time (StartEarly) leaves the rest queued while one of its workers starts
    const at = spawnQueue.findIndex(s => s.dead || !s.config.oneAtATime || !starting(s.transport));
    if (at < 0) return; // kick() resumes once a starting worker is ready or gone
    const state = spawnQueue.splice(at, 1)[0];
    if (spawnQueue.length) spawnTimer = setTimeout(spawnNext, SPAWN_SPACING_MS);
    if (!state || state.dead) return; // terminated before it was created
    state.createdAt = performance.now();
    const failure = spawn(state, state.factoryPath, null);
    if (failure) { deliver(state, 'init-error', null, null, null, null, failure, null); kill(state); }
}

// Whether a worker of this transport was created and is not ready yet.
function starting(transport) {
    for (const s of workers.values()) {
        if (s.transport === transport && s.worker && !s.ready && !s.dead) return true;
    }
    return false;
}

// A worker became ready or went away: creations held back for one-at-a-time pools may go on.
function kick() {
    if (spawnQueue.length && !spawnTimer) spawnTimer = setTimeout(spawnNext, SPAWN_SPACING_MS);
}

// Creates (or re-creates, after a CSP refusal of its blob: URL) the state's worker. cspDetail: why the blob: bootstrap was
// refused, when this is the retry from the same-origin copy. Returns null, or why the worker could not be created.
function spawn(state, factoryPath, cspDetail) {
    const old = state.worker;
    state.worker = null;
    revoke(state);
    if (old) { try { old.terminate(); } catch { /* gone */ } }
    const config = state.config;
    const options = { type: 'module', name: state.name };
    state.sameOrigin = !!(config.sameOriginScripts || blobRefused) && !factoryPath;
    try {
        if (factoryPath) {
            state.blobUrl = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
            const factory = pathGet(globalThis, factoryPath);
            if (typeof factory !== 'function') { revoke(state); return `WorkerFactory '${factoryPath}' is not a function on globalThis`; }
            state.worker = factory({ index: state.index, name: state.name, url: state.blobUrl, source: workerSource, sameOriginUrl, options });
            if (!state.worker || typeof state.worker.postMessage !== 'function') { revoke(state); return `WorkerFactory '${factoryPath}' did not return a Worker`; }
        } else if (state.sameOrigin) {
            if (!sameOriginUrl) return cspMessage(cspDetail ?? 'blob: refused earlier');
            state.worker = new Worker(sameOriginUrl, options);
        } else {
            state.blobUrl = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
            state.worker = new Worker(state.blobUrl, options);
        }
    } catch (err) {
        revoke(state);
        if (err && err.name === 'SecurityError' && !state.sameOrigin && !factoryPath) {
            // the policy refuses blob: workers: use the same-origin bootstrap from now on
            blobRefused = true;
            return spawn(state, null, `${err.name}: ${err.message}`);
        }
        if (err && err.name === 'SecurityError') return cspMessage(`${err.name}: ${err.message}`) + (state.sameOrigin ? ` The same-origin bootstrap ${sameOriginUrl} was refused too: allow it with "worker-src 'self'".` : '');
        return `new Worker(...) failed: ${(err && err.name) || 'Error'}: ${(err && err.message) || err}`;
    }
    const worker = state.worker;
    const mine = () => state.worker === worker && !state.dead;
    worker.addEventListener('message', e => {
        if (!mine()) return;
        const t0 = performance.now();
        try {
            onMessage(state, e.data);
        } finally {
            chunkEnded(t0, `handling a '${str(e.data?.kind) ?? '?'}' message of worker ${state.name}`);
        }
    });
    worker.addEventListener('error', e => {
        e.preventDefault();
        if (!mine()) return;
        const where = e.filename ? ` at ${e.filename}:${e.lineno}:${e.colno}` : '';
        const what = e.message || 'an error event without a message (the worker script failed to load or parse, or threw at its top level)';
        const via = state.sameOrigin
            ? `; bootstrap ${sameOriginUrl} (the same-origin copy, used because ${cspDetail ? `the page's Content-Security-Policy refused the blob: bootstrap (${cspDetail})` : "UseSameOriginScripts is set or the page's Content-Security-Policy refuses data: scripts"}): is _content/Awsm.Scheduler.WebWorker/ published and served as JavaScript?`
            : '';
        if (state.ready) deliver(state, 'crash', null, null, null, null, `uncaught error in the worker: ${what}${where}`, null);
        else deliver(state, 'init-error', null, null, null, null, `the worker failed before it was ready: ${what}${where} (dotnet.js: ${config.dotnetUrl}${via})`, null);
        kill(state);
    });
    worker.addEventListener('messageerror', () => {
        if (!mine()) return;
        deliver(state, 'crash', null, null, null, null, 'a message from the worker could not be deserialized (messageerror)', null);
        kill(state);
    });
    const send = (resources, shared) => {
        if (!mine()) return;
        const t0 = performance.now();
        const wasm = shared && shared.module ? { module: shared.module, name: shared.name, size: shared.size, compileMs: shared.compileMs } : null;
        const moduleNote = !config.shareModule ? 'ShareCompiledModule is off' : (shared && shared.note) || null;
        try {
            worker.postMessage({ kind: 'init', config, resources, wasm, moduleNote });
        } catch (err) {
            if (!wasm) throw err;
            // a browser that cannot clone a WebAssembly.Module (DataCloneError): the worker compiles its own
            worker.postMessage({ kind: 'init', config, resources, wasm: null, moduleNote: `the page could not post the compiled module: ${err && err.name ? err.name : 'Error'}: ${err && err.message ? err.message : err}` });
        }
        chunkEnded(t0, 'posting a worker its init message');
    };
    // Blobs: posting one passes a handle, the page copies nothing per worker
    const resources = config.handover
        ? collectResources(config.dotnetUrl).catch(err => { console.warn('awsm: resource handover failed, the worker loads from the network', err); return null; })
        : null;
    const shared = config.shareModule ? compiledModule(config.dotnetUrl, config.handover) : null;
    if (resources || shared) Promise.all([resources, shared]).then(([r, m]) => send(r, m));
    else send(null, null);
    return null;
}

// What C# sends during one macrotask is queued per worker and posted as one message by a microtask, which runs once the
// current macrotask's .NET code has returned: a burst of jobs costs one postMessage (one structured clone, one worker
// event), and one job alone waits for nothing.
const counts = new Map(); // transport -> { transferred, copied }

function queue(state, item, buffer) {
    if (!state.outbox) {
        state.outbox = [];
        state.transfer = [];
        queueMicrotask(() => flush(state));
    }
    for (const x of item) state.outbox.push(x);
    if (buffer) state.transfer.push(buffer);
}

function flush(state) {
    const items = state.outbox, transfer = state.transfer;
    state.outbox = null;
    state.transfer = null;
    if (state.dead || !items || !state.worker) return;
    const t0 = performance.now();
    state.worker.postMessage({ kind: 'batch', items }, transfer);
    let c = counts.get(state.transport);
    if (!c) counts.set(state.transport, c = { transferred: 0, copied: 0 });
    for (const b of transfer) { if (b.byteLength === 0) c.transferred++; else c.copied++; }
    chunkEnded(t0, 'posting a batch of jobs');
}

// payload: a MemoryView over the wasm heap, valid during this call only. slice() copies it into a fresh ArrayBuffer,
// which the flush transfers (zero-copy) to the worker. Returns false when there is no live worker (the job is lost, like
// postMessage to a dead worker).
export function postJob(transport, index, id, name, payload, traceParent, traceState) {
    const state = workers.get(`${transport}:${index}`);
    if (!state || state.dead) return false;
    const buffer = payload.slice().buffer;
    queue(state, [0, id, name, buffer, traceParent || null, traceState || null], buffer);
    return true;
}

export function postCancel(transport, index, id) {
    const state = workers.get(`${transport}:${index}`);
    if (!state || state.dead) return false;
    queue(state, [1, id], null);
    return true;
}

export function payloadCount(transport, copied) {
    const c = counts.get(transport);
    return c ? (copied ? c.copied : c.transferred) : 0;
}

export function terminate(transport, index) {
    const state = workers.get(`${transport}:${index}`);
    if (!state) return false;
    kill(state);
    return true;
}
