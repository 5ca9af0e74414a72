// graphile-worker side of `bench/run peer` (driven by bench/Reelgate.Bench/PeerBenchmark.cs).
// Usage:
//   node bench.mjs --connection postgres://... --phase add    --jobs 2000 --concurrency 64 [--warmup 200]
//   node bench.mjs --connection postgres://... --phase pickup --jobs 200  --workers 2      [--seed 7] [--load-rate 200]
// Library defaults everywhere (pool of 10, LISTEN/NOTIFY, pollInterval 2 s, no local queue);
// the database must be empty (one database per phase). One JSON object on stdout.
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";
import { Logger, makeWorkerUtils, run } from "graphile-worker";

const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith("--") ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const connectionString = args.connection;
const phase = args.phase;
const jobs = Number(args.jobs ?? 2000);
const concurrency = Number(args.concurrency ?? 64);
const warmup = Number(args.warmup ?? 200);
const workers = Number(args.workers ?? 2);
const seed = Number(args.seed ?? 7);
const loadRate = Number(args["load-rate"] ?? 0); // other jobs added per second during the pickup phase
if (!connectionString || !["add", "pickup"].includes(phase)) {
  console.error("usage: node bench.mjs --connection <postgres url> --phase add|pickup [--jobs N] [--concurrency C] [--warmup W] [--workers K]");
  process.exit(2);
}

// Warnings and errors only, on stderr (stdout carries the result).
const logger = new Logger(() => (level, message) => {
  if (level === "error" || level === "warning") console.error(`graphile-worker ${level}: ${message}`);
});

// The same payload as Reelgate's createTask body.
const payload = (i) => ({ model: "seedance-2.0-text-to-video", input: { prompt: `benchmark ${i}`, resolution: "480p", duration: 4 } });

const percentile = (values, p) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
};
const round3 = (x) => Math.round(x * 1000) / 1000;

/** Runs add(i) for i in [from, from + count) with `concurrency` calls in flight; returns each call's latency (ms). */
async function addConcurrently(from, count, add) {
  const latencies = [];
  let next = from;
  const lane = async () => {
    while (next < from + count) {
      const i = next++;
      const t = performance.now();
      await add(i);
      latencies.push(performance.now() - t);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return latencies;
}

async function addPhase() {
  const utils = await makeWorkerUtils({ connectionString, logger });
  try {
    await utils.migrate();
    // Warm-up (V8 JIT, the pool's connections, prepared statements): not counted.
    await addConcurrently(0, warmup, (i) => utils.addJob("bench", payload(i)));
    const started = performance.now();
    const latencies = await addConcurrently(warmup, jobs, (i) => utils.addJob("bench", payload(i)));
    const seconds = (performance.now() - started) / 1000;
    const { rows } = await utils.withPgClient((c) => c.query("select count(*)::int as n from graphile_worker.jobs"));
    return {
      phase, jobs, concurrency, warmup, seconds: round3(seconds), jobsPerSecond: Math.round((jobs / seconds) * 10) / 10,
      addP50Ms: round3(percentile(latencies, 0.5)), addP99Ms: round3(percentile(latencies, 0.99)), jobsInTable: rows[0].n,
    };
  } finally {
    await utils.release();
  }
}

// Mirrors ServiceBenchmark.PickupAsync: 5 warm-up jobs 300 ms apart (not counted), then one job
// after another with a pause of 2-11 ms (uniform); latency = handler start - addJob resolved.
async function pickupPhase() {
  const started = new Map();
  const answered = new Map();
  const runner = await run({
    connectionString, logger, concurrency: workers, noHandleSignals: true,
    taskList: { bench: async (p) => { started.set(p.i, performance.now()); }, load: async () => {} },
  });
  const utils = await makeWorkerUtils({ connectionString, logger });
  // Steady load (as ServiceBenchmark.PickupAsync's): addJob at loadRate/s in 10 ms ticks, not awaited one by one.
  let loadAdded = 0;
  const loadCalls = [];
  const loadStart = performance.now();
  const loadTimer = loadRate > 0 ? setInterval(() => {
    const due = Math.floor(((performance.now() - loadStart) / 1000) * loadRate);
    for (; loadAdded < due; loadAdded++) loadCalls.push(utils.addJob("load", { n: loadAdded }));
  }, 10) : null;
  try {
    // mulberry32: a seeded uniform generator, so the pauses repeat from run to run.
    let state = seed >>> 0;
    const random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    for (let i = 0; i < jobs + 5; i++) {
      await utils.addJob("bench", { ...payload(i), i });
      const at = performance.now();
      if (i >= 5) answered.set(i, at);
      await sleep(i < 5 ? 300 : 2 + Math.floor(random() * 10));
    }

    if (loadTimer) clearInterval(loadTimer);
    await Promise.all(loadCalls);

    const deadline = performance.now() + 120_000;
    while (started.size < jobs + 5 && performance.now() < deadline) await sleep(20);
    const latencies = [...answered].filter(([i]) => started.has(i)).map(([i, at]) => Math.max(0, started.get(i) - at));
    return {
      phase, jobs, workers, loadRate, loadAdded, picked: latencies.length,
      pickupP50Ms: round3(percentile(latencies, 0.5)), pickupP99Ms: round3(percentile(latencies, 0.99)), pickupMaxMs: round3(Math.max(...latencies)),
      latenciesMs: latencies.map(round3),
    };
  } finally {
    if (loadTimer) clearInterval(loadTimer);
    await utils.release();
    await runner.stop();
  }
}

const result = phase === "add" ? await addPhase() : await pickupPhase();
result.graphileWorker = JSON.parse(await (await import("node:fs/promises")).readFile(new URL("./node_modules/graphile-worker/package.json", import.meta.url))).version;
result.node = process.version;
console.log(JSON.stringify(result));
process.exit(0);
