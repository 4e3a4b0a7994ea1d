/**
 * Preloaded into the bot's own process by the benchmark's bot section (NODE_OPTIONS=--import
 * this file, BENCH_PROBE_FILE=where to write): measures that process's event loop and memory
 * from inside it, without code in the product. Every second, and at exit, it writes (atomically)
 * one JSON document: the event loop's longest delay (perf_hooks, 10 ms resolution), every stall
 * over 50 ms (a 10 ms timer that fired that late; wall-clock time, so the benchmark can tell in
 * which of its phases it happened), the longest garbage-collection pause, and the main thread's
 * heap when the process's resident memory was at its highest. SIGUSR2 starts the event-loop
 * figures afresh (the benchmark sends it once the bot is ready: its start-up, which loads the
 * index, is not what members wait for). Plain JavaScript: it runs before tsx's loader is
 * registered.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import process from 'node:process';
import { setInterval } from 'node:timers';

const file = process.env.BENCH_PROBE_FILE;
if (file) {
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const stalls = [];
  let gcMaxMs = 0;
  let resetAt = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, entry.duration);
  }).observe({ entryTypes: ['gc'] });
  let lastTick = performance.now();
  let rssMax = 0;
  let heapAtRssMax = null;
  const tick = setInterval(() => {
    const now = performance.now();
    if (now - lastTick > 60) stalls.push({ at: Date.now() - (now - lastTick), ms: now - lastTick - 10 });
    lastTick = now;
  }, 10);
  const memory = setInterval(() => {
    const usage = process.memoryUsage();
    if (usage.rss > rssMax) [rssMax, heapAtRssMax] = [usage.rss, { heapUsed: usage.heapUsed, external: usage.external, arrayBuffers: usage.arrayBuffers }];
  }, 250);
  const write = () => {
    const report = { loopMaxMs: loop.max / 1e6, stalls, gcMaxMs, rssMaxBytes: rssMax, heapAtRssMax, resetAt, writtenAt: Date.now() };
    writeFileSync(`${file}.tmp`, JSON.stringify(report));
    renameSync(`${file}.tmp`, file);
  };
  const every = setInterval(write, 1000);
  for (const timer of [tick, memory, every]) timer.unref();
  process.on('exit', write);
  process.on('SIGUSR2', () => {
    loop.reset();
    stalls.length = 0;
    gcMaxMs = 0;
    resetAt = Date.now();
    write();
  });
}
