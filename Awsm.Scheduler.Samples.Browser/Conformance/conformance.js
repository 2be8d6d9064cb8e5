// The sample's conformance module, imported on the page and in every worker (ConformanceJs.cs).
// Gates: one BroadcastChannel per runtime; every message is { type, key, worker } and is untrusted input.
// Worker counters (page only): a WorkerFactory per transport that counts the Web Workers it made and not yet terminated.
let channel = null;

export function openGates(name, onMessage) {
    if (channel) channel.close();
    channel = new BroadcastChannel(name);
    channel.addEventListener('message', e => {
        const m = e.data;
        if (!m || typeof m !== 'object' || typeof m.type !== 'string' || typeof m.key !== 'string') return;
        onMessage(m.type, m.key, Number.isSafeInteger(m.worker) ? m.worker : -1);
    });
}

export function postGate(type, key, worker) {
    channel.postMessage({ type, key, worker });
}

const counters = new Map(); // id -> Set of live Workers
let nextCounter = 0;

// Returns the id; the factory is globalThis.awsmConformanceWorkers['f' + id] (WebWorkerTransportOptions.WorkerFactory).
export function newWorkerCounter() {
    const id = ++nextCounter;
    const live = new Set();
    counters.set(id, live);
    const factories = globalThis.awsmConformanceWorkers ??= {};
    factories['f' + id] = info => {
        const worker = new Worker(info.url, info.options);
        live.add(worker);
        const terminate = worker.terminate.bind(worker);
        worker.terminate = () => { live.delete(worker); terminate(); };
        return worker;
    };
    return id;
}

export function liveWorkers(id) {
    const live = counters.get(id);
    return live ? live.size : -1;
}

export function forgetWorkerCounter(id) {
    counters.delete(id);
    if (globalThis.awsmConformanceWorkers) delete globalThis.awsmConformanceWorkers['f' + id];
}
