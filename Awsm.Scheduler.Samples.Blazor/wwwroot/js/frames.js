// A requestAnimationFrame loop: shows fps and the longest frame gap of the last 5 s in #fps, and records every frame
// between awsmFrames.start() and awsmFrames.stop() for the browser tests (the page stays smooth while workers start).
(() => {
    let recording = null;
    let longTasks = null;
    const recent = [];
    // Long tasks (> 50 ms on the page's main thread) while recording: where a long frame gap came from.
    try {
        new PerformanceObserver(list => {
            if (longTasks) for (const e of list.getEntries()) longTasks.push({ startMs: Math.round(e.startTime), ms: Math.round(e.duration) });
        }).observe({ type: 'longtask' });
    } catch { /* no Long Tasks API */ }
    function tick(t) {
        recent.push(t);
        while (recent.length && t - recent[0] > 5000) recent.shift();
        if (recording) recording.push(t);
        const el = document.getElementById('fps');
        if (el && recent.length > 1) {
            let gap = 0;
            for (let i = 1; i < recent.length; i++) gap = Math.max(gap, recent[i] - recent[i - 1]);
            const last = recent.filter(x => t - x <= 1000).length;
            el.textContent = `${last} fps · longest frame gap ${gap.toFixed(0)} ms`;
        }
        requestAnimationFrame(tick);
    }
    requestAnimationFrame(tick);
    window.awsmFrames = {
        start() { recording = []; longTasks = []; },
        // Records for ms (counted on frame timestamps, so a stalled page is measured, not skipped), then returns what stop() does.
        record(ms) {
            this.start();
            return new Promise(resolve => {
                let t0 = null;
                const check = t => {
                    t0 ??= t;
                    if (t - t0 >= ms) resolve(this.stop());
                    else requestAnimationFrame(check);
                };
                requestAnimationFrame(check);
            });
        },
        stop() {
            const f = recording || [];
            const tasks = longTasks || [];
            recording = null;
            longTasks = null;
            let maxGapMs = 0, gapAtMs = 0;
            for (let i = 1; i < f.length; i++) if (f[i] - f[i - 1] > maxGapMs) { maxGapMs = f[i] - f[i - 1]; gapAtMs = Math.round(f[i - 1]); }
            const durationMs = f.length > 1 ? f[f.length - 1] - f[0] : 0;
            return { frames: f.length, durationMs, maxGapMs, gapAtMs, startedAtMs: Math.round(f[0] ?? 0), fps: durationMs > 0 ? (f.length - 1) * 1000 / durationMs : 0, longTasks: tasks };
        },
    };
})();
