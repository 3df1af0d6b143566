//! Per-call time of three operations through the wrapper and through a hand-written reqwest + serde call
//! with the same timeouts, sequentially and with 64 calls in flight on one client, against a local
//! server that answers at once with canned bytes (so what is measured is the clients' own cost).
//!
//! The two are measured paired and interleaved: each criterion iteration makes one hand-written and one
//! wrapper call (or batch of 64), in alternating order, and times each. On a shared 2-core machine the
//! round trip drifts by more than the difference being measured; interleaving gives both the same
//! drift, and the ratio is the median of the per-sample ratios. Criterion reports each pair's total.

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

/// Per sample, nanoseconds per iteration of the hand-written call and of the wrapper's, by benchmark;
/// the last `SAMPLES` are criterion's measurement phase (warm-up comes first).
type Samples = Arc<Mutex<BTreeMap<(Op, Mode), Vec<(f64, f64)>>>>;

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
        .measurement_time(Duration::from_secs(4))
        .configure_from_args();
    for mode in [Mode::Sequential, Mode::InFlight] {
        let mut group = criterion.benchmark_group(match mode {
            Mode::Sequential => "sequential".to_string(),
            Mode::InFlight => format!("{IN_FLIGHT}-in-flight"),
        });
        for op in Op::ALL {
            if mode == Mode::InFlight && op == Op::GetLogs {
                group.measurement_time(Duration::from_secs(12)).sample_size(10);
            }
            let fixture = Arc::clone(&fixture);
            let samples = Arc::clone(&samples);
            group.bench_function(format!("{} (hand-written + wrapper, interleaved)", op.id()), |b| {
                b.to_async(&runtime).iter_custom(|iters| {
                    let fixture = Arc::clone(&fixture);
                    let samples = Arc::clone(&samples);
                    async move {
                        let mut spent = [Duration::ZERO; 2];
                        for i in 0..iters {
                            // Alternate which goes first, so that neither always follows the other.
                            let order = if i % 2 == 0 { Variant::ALL } else { [Variant::ALL[1], Variant::ALL[0]] };
                            for variant in order {
                                let started = Instant::now();
                                match mode {
                                    Mode::Sequential => {
                                        black_box(fixture.call(variant, op).await);
                                    }
                                    Mode::InFlight => {
                                        black_box(join_all((0..IN_FLIGHT).map(|_| fixture.call(variant, op))).await);
                                    }
                                }
                                spent[usize::from(variant == Variant::Wrapper)] += started.elapsed();
                            }
                        }
                        let per_iteration = |d: Duration| d.as_nanos() as f64 / iters.max(1) as f64;
                        samples
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .entry((op, mode))
                            .or_default()
                            .push((per_iteration(spent[0]), per_iteration(spent[1])));
                        spent[0] + spent[1]
                    }
                });
            });
        }
        group.finish();
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
    println!(
        "\nMedians over the measured samples of the time per call (or per {IN_FLIGHT} calls in flight), and the\n\
         median of the per-sample ratios wrapper / hand-written:"
    );
    println!("{:<22} {:<14} {:>12} {:>12} {:>13}", "operation", "mode", "hand-written", "wrapper", "wrapper/hand");
    for mode in [Mode::Sequential, Mode::InFlight] {
        for op in Op::ALL {
            let Some(all) = samples.get(&(op, mode)) else { continue };
            let keep = if op == Op::GetLogs && mode == Mode::InFlight { 10 } else { SAMPLES };
            let measured = &all[all.len().saturating_sub(keep)..];
            let hand: Vec<f64> = measured.iter().map(|(h, _)| *h).collect();
            let wrapper: Vec<f64> = measured.iter().map(|(_, w)| *w).collect();
            let ratios: Vec<f64> = measured.iter().map(|(h, w)| w / h).collect();
            let (Some(hand), Some(wrapper), Some(ratio)) = (median(&hand), median(&wrapper), median(&ratios)) else {
                continue;
            };
            let mode_name = match mode {
                Mode::Sequential => "sequential".to_string(),
                Mode::InFlight => format!("{IN_FLIGHT} in flight"),
            };
            let op_name = if op == Op::GetLogs { format!("getLogs ({LOG_ENTRIES})") } else { op.id().to_string() };
            println!("{op_name:<22} {mode_name:<14} {:>12} {:>12} {:>13.3}", show(hand), show(wrapper), ratio);
        }
    }
}
