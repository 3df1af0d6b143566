//! Per-call time of three operations through the wrapper and a hand-written reqwest + serde call with
//! the same timeouts, sequentially and with 64 calls in flight on one client, against a local server.
//! Criterion reports each; the table at the end gives medians and the ratios to the hand-written call,
//! from the same samples criterion measured.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use criterion::Criterion;
use futures_util::future::join_all;
use pipecat_cloud_benchmarks::{Fixture, IN_FLIGHT, LOG_ENTRIES, Op, Variant};

const SAMPLES: usize = 20;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Mode {
    Sequential,
    InFlight,
}

/// Nanoseconds per iteration of every sample, by benchmark; the last `SAMPLES` are criterion's
/// measurement phase (warm-up comes first).
type Samples = Arc<Mutex<BTreeMap<(Op, Mode, Variant), Vec<f64>>>>;

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap_or_else(|e| panic!("{e}"));
    let fixture = Arc::new(runtime.block_on(Fixture::start()));
    let samples: Samples = Arc::default();
    let mut criterion = Criterion::default()
        .sample_size(SAMPLES)
        .warm_up_time(Duration::from_millis(800))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();
    for mode in [Mode::Sequential, Mode::InFlight] {
        for op in Op::ALL {
            let name = match mode {
                Mode::Sequential => format!("{}/sequential", op.id()),
                Mode::InFlight => format!("{}/{IN_FLIGHT}-in-flight", op.id()),
            };
            let mut group = criterion.benchmark_group(name);
            if mode == Mode::InFlight && op == Op::GetLogs {
                group.measurement_time(Duration::from_secs(8)).sample_size(10);
            }
            for variant in Variant::ALL {
                let fixture = Arc::clone(&fixture);
                let samples = Arc::clone(&samples);
                group.bench_function(variant.name(), |b| {
                    b.to_async(&runtime).iter_custom(|iters| {
                        let fixture = Arc::clone(&fixture);
                        let samples = Arc::clone(&samples);
                        async move {
                            let started = Instant::now();
                            for _ in 0..iters {
                                match mode {
                                    Mode::Sequential => {
                                        black_box(fixture.call(variant, op).await);
                                    }
                                    Mode::InFlight => {
                                        black_box(join_all((0..IN_FLIGHT).map(|_| fixture.call(variant, op))).await);
                                    }
                                }
                            }
                            let elapsed = started.elapsed();
                            let per_iteration = elapsed.as_nanos() as f64 / iters.max(1) as f64;
                            samples
                                .lock()
                                .unwrap_or_else(PoisonError::into_inner)
                                .entry((op, mode, variant))
                                .or_default()
                                .push(per_iteration);
                            elapsed
                        }
                    });
                });
            }
            group.finish();
        }
    }
    criterion.final_summary();
    print_table(&samples);
}

fn median(values: &[f64]) -> Option<f64> {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(sorted[n / 2]),
        _ => Some((sorted[n / 2 - 1] + sorted[n / 2]) / 2.0),
    }
}

fn show(ns: f64) -> String {
    if ns >= 1e6 { format!("{:.2} ms", ns / 1e6) } else { format!("{:.1} µs", ns / 1e3) }
}

fn print_table(samples: &Samples) {
    let samples = samples.lock().unwrap_or_else(PoisonError::into_inner);
    let last = |key: &(Op, Mode, Variant)| -> Option<f64> {
        let all = samples.get(key)?;
        let keep = if key.0 == Op::GetLogs && key.1 == Mode::InFlight { 10 } else { SAMPLES };
        median(&all[all.len().saturating_sub(keep)..])
    };
    println!(
        "\nMedian time per iteration (one call, or {IN_FLIGHT} calls in flight), and ratios to the hand-written call:"
    );
    println!("{:<22} {:<14} {:>12} {:>12} {:>13}", "operation", "mode", "hand-written", "wrapper", "wrapper/hand");
    for mode in [Mode::Sequential, Mode::InFlight] {
        for op in Op::ALL {
            let [hand, wrapper] = Variant::ALL.map(|v| last(&(op, mode, v)));
            let (Some(hand), Some(wrapper)) = (hand, wrapper) else { continue };
            let mode_name = match mode {
                Mode::Sequential => "sequential".to_string(),
                Mode::InFlight => format!("{IN_FLIGHT} in flight"),
            };
            let op_name = if op == Op::GetLogs { format!("getLogs ({LOG_ENTRIES})") } else { op.id().to_string() };
            println!("{op_name:<22} {mode_name:<14} {:>12} {:>12} {:>13.3}", show(hand), show(wrapper), wrapper / hand);
        }
    }
}
