//! Prometheus metrics, kept by hand: requests by route and status, a latency
//! histogram, operations by result, pull pages.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use waystation_protocol::OpStatus;

const BUCKETS: [f64; 12] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0];

/// The service's counters.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    ops: [AtomicU64; 5],
    pull_pages: AtomicU64,
    pulled_ops: AtomicU64,
}

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

fn status_index(s: OpStatus) -> usize {
    match s {
        OpStatus::Accepted => 0,
        OpStatus::Duplicate => 1,
        OpStatus::RefusedDifferentContent => 2,
        OpStatus::RefusedInvalid => 3,
        OpStatus::RefusedForbidden => 4,
    }
}

const STATUS_NAMES: [&str; 5] =
    ["accepted", "duplicate", "refused_different_content", "refused_invalid", "refused_forbidden"];

impl Metrics {
    /// Count one request.
    pub fn request(&self, method: &str, route: &str, status: u16, took: Duration) {
        if let Ok(mut r) = self.requests.lock() {
            *r.entry((method.to_owned(), route.to_owned(), status)).or_default() += 1;
        }
        if let Ok(mut l) = self.latency.lock() {
            let h = l.entry(route.to_owned()).or_default();
            let secs = took.as_secs_f64();
            for (i, b) in BUCKETS.iter().enumerate() {
                if secs <= *b {
                    h.buckets[i] += 1;
                }
            }
            h.count += 1;
            h.sum += secs;
        }
    }

    /// Count the result of one pushed operation.
    pub fn op(&self, status: OpStatus) {
        self.ops[status_index(status)].fetch_add(1, Ordering::Relaxed);
    }

    /// Count one pull page.
    pub fn pull_page(&self, ops: usize) {
        self.pull_pages.fetch_add(1, Ordering::Relaxed);
        self.pulled_ops.fetch_add(ops as u64, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP waystation_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE waystation_http_requests_total counter\n");
        if let Ok(r) = self.requests.lock() {
            for ((method, route, status), n) in r.iter() {
                let _ = writeln!(
                    out,
                    "waystation_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
                );
            }
        }
        out.push_str("# HELP waystation_http_request_duration_seconds Request latency by route.\n");
        out.push_str("# TYPE waystation_http_request_duration_seconds histogram\n");
        if let Ok(l) = self.latency.lock() {
            for (route, h) in l.iter() {
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        out,
                        "waystation_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}",
                        h.buckets[i]
                    );
                }
                let _ = writeln!(
                    out,
                    "waystation_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(out, "waystation_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
                let _ =
                    writeln!(out, "waystation_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
            }
        }
        out.push_str("# HELP waystation_ops_total Pushed operations by result.\n");
        out.push_str("# TYPE waystation_ops_total counter\n");
        for (i, name) in STATUS_NAMES.iter().enumerate() {
            let _ = writeln!(out, "waystation_ops_total{{result=\"{name}\"}} {}", self.ops[i].load(Ordering::Relaxed));
        }
        out.push_str(
            "# HELP waystation_pull_pages_total Pull pages served.\n# TYPE waystation_pull_pages_total counter\n",
        );
        let _ = writeln!(out, "waystation_pull_pages_total {}", self.pull_pages.load(Ordering::Relaxed));
        out.push_str("# HELP waystation_pulled_ops_total Operations served by pulls.\n# TYPE waystation_pulled_ops_total counter\n");
        let _ = writeln!(out, "waystation_pulled_ops_total {}", self.pulled_ops.load(Ordering::Relaxed));
        out
    }
}
