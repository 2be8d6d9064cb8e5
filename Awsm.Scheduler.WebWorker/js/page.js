// Awsm.Scheduler.WebWorker: PAGE side of the Web Worker transport.
// Embedded in Awsm.Scheduler.WebWorker.dll and imported by C# through JSHost.ImportAsync(<data: URL>),
// so it needs no static web asset, no fingerprint and no base-path handling.
//
// Page -> worker:  {kind:'init', config, resources?}   (first message; config = dotnetUrl, lib names, index)
//                  {kind:'batch', items: [...]}: everything queued for the worker during one macrotask, in order;
//                      a job is 0, id, name, payload: ArrayBuffer (transferred), traceParent, traceState; a cancel is 1, id
// Worker -> page:  {kind:'ready', timings} | {kind:'init-error', phase, errorType, message, stack}
//                  {kind:'results', items: [id, ArrayBuffer (transferred), id, ArrayBuffer, ...]} (one macrotask's results)
//                  {kind:'error', id, errorKind, errorType, message, stack}
//                  {kind:'fatal', message}   (the worker's .NET runtime exited or aborted)
// Job ids are numbers (exact up to 2^53). Results go to C# as OnResults(transport, index, generation, meta, data): one call
// per message, meta = [id, end, id, end, ...], the payloads back to back in data. Every other event goes to C# as
// OnWorkerEvent(transport, index, generation, kind, id, payload, errorKind, errorType, message, stack).

const CONCAT_LIMIT = 64 * 1024; // results up to this total are copied into one array (one interop call); bigger ones go alone

let onEvent = null;        // [JSExport] PageInterop.OnWorkerEvent, bound in init()
let onResults = null;      // [JSExport] PageInterop.OnResults
let workerSource = null;   // worker bootstrap source; each worker gets a Blob URL of it
const workers = new Map(); // `${transport}:${index}` -> state

function pathGet(obj, dotted) {
    return dotted.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

export async function init(assemblyName, className, workerScript) {
    const getRuntime = globalThis.getDotnetRuntime;
    if (typeof getRuntime !== 'function') throw new Error('globalThis.getDotnetRuntime is missing: is the .NET runtime started on this page?');
    const exports = await getRuntime(0).getAssemblyExports(assemblyName);
    const cls = pathGet(exports, className);
    if (!cls || typeof cls.OnWorkerEvent !== 'function' || typeof cls.OnResults !== 'function') throw new Error(`[JSExport] ${className}.OnWorkerEvent/OnResults not found in ${assemblyName} (trimmed?)`);
    onEvent = cls.OnWorkerEvent;
    onResults = cls.OnResults;
    workerSource = workerScript;
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
                const timings = { startMs: performance.now() - state.t0, ...(m.timings || {}) };
                if (typeof timings.readyAt === 'number') { timings.toPageMs = performance.timeOrigin + performance.now() - timings.readyAt; delete timings.readyAt; }
                deliver(state, 'ready', null, null, null, null, JSON.stringify(timings), null);
            }
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
        `Allow it with "worker-src 'self' blob:" (or script-src when worker-src is absent), or set WebWorkerTransportOptions.WorkerFactory ` +
        `to create the worker from a same-origin script holding WebWorkerTransport.BootstrapScript.`;
}

// Chromium may report a CSP refusal of a worker asynchronously (fetch-time check) instead of throwing from new Worker.
function onCspViolation(e) {
    if (!String(e.blockedURI || '').startsWith('blob:') && e.blockedURI !== 'blob') return;
    for (const state of workers.values()) {
        if (!state.ready && !state.dead && state.blobUrl) {
            deliver(state, 'init-error', null, null, null, null, cspMessage(`violated directive '${e.effectiveDirective || e.violatedDirective}'`), null);
            kill(state);
        }
    }
}

// Resource handover (optional): the page's runtime already fetched dotnet.native.wasm, the assemblies and the ICU shard;
// re-read them once (HTTP cache) and post copies to each new worker, whose dotnet.withResourceLoader(...) answers from them.
let resourceCache = null;
function collectResources(dotnetUrl) {
    if (resourceCache) return resourceCache;
    resourceCache = (async () => {
        const r = globalThis.getDotnetRuntime(0).getConfig().resources || {};
        // only what the page itself loaded (e.g. one ICU shard of three), from where it loaded it
        const fetched = new Map(performance.getEntriesByType('resource').map(e => [e.name.split('/').pop().split('?')[0], e.name]));
        const wanted = [...(r.wasmNative || []), ...(r.coreAssembly || []), ...(r.assembly || []), ...(r.icu || [])]
            .map(a => a.name).filter(n => fetched.has(n));
        const entries = await Promise.all(wanted.map(async name => {
            const res = await fetch(fetched.get(name) ?? new URL(name, dotnetUrl), { cache: 'force-cache' });
            if (!res.ok) throw new Error(`GET ${name} -> ${res.status}`);
            return [name, await res.arrayBuffer()];
        }));
        return Object.fromEntries(entries);
    })();
    resourceCache.catch(() => { resourceCache = null; });
    return resourceCache;
}

// Returns null when the worker was created (it reports ready / init-error later), else why it could not be created.
export function createWorker(transport, index, generation, configJson, factoryPath) {
    const key = `${transport}:${index}`;
    const previous = workers.get(key);
    if (previous) kill(previous);
    const config = JSON.parse(configJson);
    config.index = index;
    const name = `awsm-${config.pool}-${index}`;
    const blobUrl = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
    const state = { key, transport, index, generation, worker: null, blobUrl, t0: performance.now(), ready: false, dead: false, outbox: null, transfer: null };
    const options = { type: 'module', name };
    try {
        if (factoryPath) {
            const factory = pathGet(globalThis, factoryPath);
            if (typeof factory !== 'function') { revoke(state); return `WorkerFactory '${factoryPath}' is not a function on globalThis`; }
            state.worker = factory({ index, name, url: blobUrl, source: workerSource, options });
            if (!state.worker || typeof state.worker.postMessage !== 'function') { revoke(state); return `WorkerFactory '${factoryPath}' did not return a Worker`; }
        } else {
            state.worker = new Worker(blobUrl, options);
        }
    } catch (err) {
        revoke(state);
        if (err && err.name === 'SecurityError') return cspMessage(`${err.name}: ${err.message}`);
        return `new Worker(...) failed: ${(err && err.name) || 'Error'}: ${(err && err.message) || err}`;
    }
    workers.set(key, state);
    const worker = state.worker;
    worker.addEventListener('message', e => onMessage(state, e.data));
    worker.addEventListener('error', e => {
        e.preventDefault();
        const where = e.filename ? ` at ${e.filename}:${e.lineno}:${e.colno}` : '';
        const what = e.message || 'an error event without a message (the worker script failed to load or parse, or threw at its top level)';
        if (state.ready) deliver(state, 'crash', null, null, null, null, `uncaught error in the worker: ${what}${where}`, null);
        else deliver(state, 'init-error', null, null, null, null, `the worker failed before it was ready: ${what}${where} (dotnet.js: ${config.dotnetUrl})`, null);
        kill(state);
    });
    worker.addEventListener('messageerror', () => {
        deliver(state, 'crash', null, null, null, null, 'a message from the worker could not be deserialized (messageerror)', null);
        kill(state);
    });
    const send = resources => { if (!state.dead) worker.postMessage({ kind: 'init', config, resources }); };
    if (config.handover) {
        // structured clone copies the buffers: the page keeps its set for the next worker
        collectResources(config.dotnetUrl).then(send, err => { console.warn('awsm: resource handover failed, the worker loads from the network', err); send(null); });
    } else {
        send(null);
    }
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
    if (state.dead || !items) return;
    state.worker.postMessage({ kind: 'batch', items }, transfer);
    let c = counts.get(state.transport);
    if (!c) counts.set(state.transport, c = { transferred: 0, copied: 0 });
    for (const b of transfer) { if (b.byteLength === 0) c.transferred++; else c.copied++; }
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
