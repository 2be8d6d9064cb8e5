// Awsm.Scheduler.WebWorker: WORKER bootstrap (a module worker; the page creates it from a Blob URL of this source,
// or a custom WorkerFactory from a same-origin copy). The page's first message is {kind:'init', config, resources?, wasm?, moduleNote?}.
// It imports the app's dotnet.js, starts the runtime and runs the app's Main, which calls WebWorkerHost.RunAsync(registry):
// that [JSImport]s ready() below. Jobs that arrive before then are queued.

// PITFALL: dotnet.js checks globalThis.onmessage at import time to decide whether it is one of its own runtime
// threads; then create() never resolves. Declare a sidecar and never assign onmessage (dotnet/runtime#114918).
globalThis.dotnetSidecar = true;

const queue = [];     // messages that arrive before .NET is ready
let handle = null;    // set once ready
let started = false;
let ready = false;

self.addEventListener('message', e => {
    const m = e.data;
    if (!started && m && m.kind === 'init') { started = true; start(m.config, m.resources || null, m.wasm || null, m.moduleNote || null); }
    else if (handle) handle(m);
    else queue.push(m);
});

function describe(err) {
    return {
        errorType: (err && err.name) || typeof err,
        message: String(err && err.message !== undefined ? err.message : err),
        stack: (err && err.stack) || null,
    };
}

function pathGet(obj, dotted) {
    return dotted.split('.').reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

function initError(phase, d) {
    if (ready) return;
    ready = true; // report once
    self.postMessage({ kind: 'init-error', phase, errorType: d.errorType, message: d.message, stack: d.stack ?? null });
}

// import() failures carry no status: fetch the URL again to say whether it is a 404, a wrong MIME type or a script error.
async function diagnoseImportFailure(url, err) {
    const reason = describe(err);
    try {
        const r = await fetch(url, { cache: 'no-store' });
        if (!r.ok) return { errorType: 'HttpError', message: `GET ${url} -> HTTP ${r.status} ${r.statusText}`, stack: reason.stack };
        const type = r.headers.get('content-type') || '';
        if (!/javascript|ecmascript/i.test(type)) {
            reason.message += ` (GET ${url} is ${r.status} with content-type '${type}': wrong MIME type, a JavaScript module was expected)`;
        } else {
            reason.message += ` (GET ${url} is ${r.status} with content-type '${type}': a script error while evaluating it)`;
        }
    } catch (e2) {
        reason.message += ` (fetching ${url} failed too: ${e2})`;
    }
    reason.message = `cannot import ${url}: ${reason.message}`;
    return reason;
}

let servedFromHandover = 0;
const handedOverWasm = new WeakSet(); // the dotnetwasm Responses made from the page's Blob

// resources: { fileName: Blob } from the page (a Blob is a handle: reading it here costs the page nothing)
function makeResourceLoader(resources) {
    return (type, name, defaultUri) => {
        const body = resources[name] ?? resources[fileName(defaultUri)];
        if (!(body instanceof Blob) && !(body instanceof ArrayBuffer)) return undefined; // dotnet.js fetches it
        servedFromHandover++;
        const headers = { 'content-type': type === 'dotnetwasm' ? 'application/wasm' : 'application/octet-stream' };
        const response = new Response(body, { status: 200, headers });
        if (type === 'dotnetwasm') handedOverWasm.add(response);
        return Promise.resolve(response);
    };
}

function fileName(url) { return String(url ?? '').split('/').pop().split('?')[0].split('#')[0]; }

// Module sharing: the page compiled dotnet.native.wasm and posted the WebAssembly.Module (wasm = { module, name, size }).
// dotnet.js has no API that takes a module, so while the runtime starts, WebAssembly's compile functions are wrapped: a
// compile of that one file (the Response handed over for it, a response from its URL, or bytes of its size) is answered
// with the posted module, anything else goes to the browser's own function. If the runtime never compiles through them
// (a future loader), it simply compiles as before and the worker reports moduleShared: false with the reason.
function shareModule(wasm) {
    const original = {
        compile: WebAssembly.compile,
        compileStreaming: WebAssembly.compileStreaming,
        instantiateStreaming: WebAssembly.instantiateStreaming,
    };
    const use = { shared: false, via: null, seen: [] };
    const isOurs = res => res instanceof Response && (handedOverWasm.has(res) || (res.url !== '' && fileName(res.url) === wasm.name));
    const answered = (res, via) => {
        use.shared = true;
        use.via = via;
        try { res.body?.cancel(); } catch { /* nothing to release */ }
        restore(); // one compile to answer: everything after it is someone else's
        return wasm.module;
    };
    function restore() {
        WebAssembly.compile = original.compile;
        if (original.compileStreaming) WebAssembly.compileStreaming = original.compileStreaming;
        if (original.instantiateStreaming) WebAssembly.instantiateStreaming = original.instantiateStreaming;
    }
    if (original.compileStreaming) {
        WebAssembly.compileStreaming = async function (source) {
            const res = await source;
            if (isOurs(res)) return answered(res, 'compileStreaming');
            use.seen.push(`compileStreaming(${fileName(res && res.url) || 'a response'})`);
            return original.compileStreaming.call(WebAssembly, res);
        };
    }
    if (original.instantiateStreaming) {
        WebAssembly.instantiateStreaming = async function (source, imports) {
            const res = await source;
            if (isOurs(res)) {
                const module = answered(res, 'instantiateStreaming');
                return { module, instance: await WebAssembly.instantiate(module, imports) };
            }
            use.seen.push(`instantiateStreaming(${fileName(res && res.url) || 'a response'})`);
            return original.instantiateStreaming.call(WebAssembly, res, imports);
        };
    }
    WebAssembly.compile = function (bytes) {
        const size = bytes && typeof bytes.byteLength === 'number' ? bytes.byteLength : -1;
        if (size === wasm.size) {
            use.shared = true;
            use.via = 'compile';
            restore();
            return Promise.resolve(wasm.module);
        }
        use.seen.push(`compile(${size} bytes)`);
        return original.compile.call(WebAssembly, bytes);
    };
    return { use, restore };
}

// A Blazor app whose Program.cs calls WebAssemblyHostBuilder.CreateDefault before checking WebWorkerHost.IsWorker reaches
// Blazor's [JSImport]s of the 'blazor-internal' module, which only a page has: the runtime would abort with "ES6 module
// blazor-internal was not imported yet" and no hint. Stand in for that module with functions that throw the fix instead.
function misplacedCheck(path) {
    return new Error(`Blazor's WebAssemblyHostBuilder runs inside an Awsm.Scheduler web worker (it called blazor-internal '${path}', ` +
        `which exists only on a page). In Program.cs, check WebWorkerHost.IsWorker first, before WebAssemblyHostBuilder.CreateDefault: ` +
        `if (WebWorkerHost.IsWorker) { await WebWorkerHost.RunAsync(registry); return; }`);
}

function pageOnlyModule(path) {
    return new Proxy(function () { }, {
        get: (target, key) => {
            if (key === 'bind' || key === 'call' || key === 'apply') return Reflect.get(target, key); // the runtime binds imports
            return typeof key === 'string' && key !== 'then' ? pageOnlyModule(path ? `${path}.${key}` : key) : undefined;
        },
        apply: () => { throw misplacedCheck(path); },
    });
}

function fatal(message) {
    if (!ready) { initError('runtime', { errorType: 'RuntimeExit', message, stack: null }); }
    else self.postMessage({ kind: 'fatal', message });
    handle = () => { };
    setTimeout(() => self.close(), 0);
}

async function start(cfg, resources, wasm, pageNote) {
    globalThis.__awsmWorker = { index: cfg.index, pool: cfg.pool };
    const t0 = performance.now();
    const sharing = wasm && wasm.module instanceof WebAssembly.Module && typeof wasm.name === 'string' ? shareModule(wasm) : null;
    const moduleReport = () => {
        if (sharing?.use.shared) return { moduleShared: true, moduleVia: sharing.use.via, pageCompileMs: wasm.compileMs };
        const note = sharing
            ? `the runtime did not compile ${wasm.name} through WebAssembly.compileStreaming/compile/instantiateStreaming` + (sharing.use.seen.length ? ` (it compiled: ${sharing.use.seen.join(', ')})` : '')
            : (pageNote || (wasm ? 'the posted module is not a WebAssembly.Module' : 'the page posted no module'));
        return { moduleShared: false, moduleNote: note };
    };
    let mod;
    try {
        mod = await import(cfg.dotnetUrl);
    } catch (err) {
        initError('import', await diagnoseImportFailure(cfg.dotnetUrl, err));
        return;
    }
    const t1 = performance.now();
    let runtime = null;
    let t2 = 0;
    let tExports = 0;
    try {
        let builder = mod.dotnet;
        if (!builder || typeof builder.create !== 'function') throw new Error(`${cfg.dotnetUrl} does not export 'dotnet' (is it the app's _framework/dotnet.js?)`);
        if (resources) builder = builder.withResourceLoader(makeResourceLoader(resources));
        if (typeof builder.withModuleConfig === 'function') {
            builder = builder.withModuleConfig({
                onAbort: reason => fatal(`aborted: ${reason}`),
                onExit: code => fatal(`exited with code ${code}`),
            });
        }
        try {
            runtime = await builder.create();
        } finally {
            sharing?.restore();
        }
        t2 = performance.now();
        const exports = await runtime.getAssemblyExports(cfg.libAssembly);
        const lib = pathGet(exports, cfg.libClass);
        if (!lib || typeof lib.OnJob !== 'function') throw new Error(`[JSExport] ${cfg.libClass}.OnJob not found in ${cfg.libAssembly} (trimmed?)`);
        // Results of one macrotask (a batch of jobs, or a continuation of async jobs) go back in one message, posted by a
        // microtask once .NET has returned: [id, ArrayBuffer, id, ArrayBuffer, ...], the buffers transferred.
        let outbox = null;
        const flush = () => {
            const items = outbox;
            outbox = null;
            const transfer = [];
            for (let i = 1; i < items.length; i += 2) transfer.push(items[i]);
            self.postMessage({ kind: 'results', items }, transfer);
            if (transfer.some(b => b.byteLength !== 0)) console.error('awsm: a result payload was copied, not transferred');
        };
        runtime.setModuleImports('awsm-worker', {
            // payload: a MemoryView over the wasm heap, valid during this call only -> copy, then transfer
            postResult: (id, payload) => {
                if (!outbox) { outbox = []; queueMicrotask(flush); }
                outbox.push(id, payload.slice().buffer);
            },
            // a running job's progress (already paced by the job runtime); after its result never, so no ordering issue:
            // results of this macrotask are flushed by a microtask, the progress goes at once
            postProgress: (id, payload) => {
                const buf = payload.slice().buffer;
                self.postMessage({ kind: 'progress', id, payload: buf }, [buf]);
            },
            postError: (id, errorKind, errorType, message, stack) => self.postMessage({ kind: 'error', id, errorKind, errorType, message, stack }),
            // called by WebWorkerHost.RunAsync once the app's registry is in place
            ready: hostMs => {
                if (ready) return;
                ready = true;
                handle = m => {
                    if (!m || typeof m !== 'object' || m.kind !== 'batch' || !Array.isArray(m.items)) return;
                    const items = m.items;
                    try {
                        for (let i = 0; i < items.length;) {
                            const id = typeof items[i + 1] === 'number' ? items[i + 1] : 0; // 0 is reported as malformed
                            if (items[i] === 0) {
                                const payload = items[i + 3];
                                lib.OnJob(id, typeof items[i + 2] === 'string' ? items[i + 2] : null,
                                    payload instanceof ArrayBuffer ? new Uint8Array(payload) : new Uint8Array(0), items[i + 4] ?? null, items[i + 5] ?? null);
                                i += 6;
                            } else if (items[i] === 1) {
                                lib.OnCancel(id);
                                i += 2;
                            } else {
                                break; // not ours
                            }
                        }
                    } catch (err) {
                        // OnJob/OnCancel catch everything .NET throws: a JS error here means the runtime is gone.
                        fatal(`the runtime failed to take a message: ${describe(err).message}`);
                    }
                };
                const t3 = performance.now();
                self.postMessage({
                    kind: 'ready',
                    timings: {
                        importMs: t1 - t0, createMs: t2 - t1, mainMs: t3 - t2, exportsMs: tExports - t2, appMainMs: t3 - tExports - (hostMs || 0), hostMs: hostMs || 0,
                        readyAt: performance.timeOrigin + t3, resourcesHandedOver: resources ? Object.keys(resources).length : 0, servedFromHandover, ...moduleReport(),
                    },
                });
                // drain after the C# caller has returned (no re-entrancy into RunAsync)
                queueMicrotask(() => { for (const m of queue.splice(0)) handle(m); });
            },
        });
    } catch (err) {
        initError(runtime ? 'exports' : 'create', describe(err));
        return;
    }
    tExports = performance.now();
    try {
        runtime.setModuleImports('blazor-internal', pageOnlyModule(''));
    } catch { /* not a runtime that takes module imports this way: the runtime's own assert remains */ }
    try {
        const code = await runtime.runMain();
        initError('main', { errorType: 'MainReturned', message: `Main returned (exit code ${code}) without calling WebWorkerHost.RunAsync: when WebWorkerHost.IsWorker is true, Main must await WebWorkerHost.RunAsync(registry)`, stack: null });
    } catch (err) {
        initError('main', describe(err));
    }
}
