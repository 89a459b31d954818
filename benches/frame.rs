//! CPU time of one frame of the real window (headless, egui_kittest) with 100,000 and 1,000,000
//! objects in the open folder, with and without an active filter; and the cost of re-filtering.

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use egui_kittest::Harness;
use s3share::app::browser::ListingStatus;
use s3share::app::settings::Settings;
use s3share::app::{ClipboardSink, S3ShareApp, StartOptions};
use s3share::store::{ListingPage, ObjectEntry, S3Location};

fn harness(runtime: &tokio::runtime::Runtime, rows: usize) -> Harness<'static, S3ShareApp> {
    let handle = runtime.handle().clone();
    let mut harness = Harness::builder().with_size(egui::vec2(1280.0, 800.0)).build_eframe(move |cc| {
        S3ShareApp::new(
            &cc.egui_ctx,
            Settings { welcome_seen: true, ..Settings::default() },
            &handle,
            StartOptions::bare(ClipboardSink::Egui),
        )
    });
    let now = chrono::Utc::now();
    let browser = &mut harness.state_mut().state.browser;
    let generation = browser.open(S3Location { bucket: "bench".into(), key: "data/".into() });
    for chunk in 0..rows.div_ceil(1000) {
        let objects = (chunk * 1000..((chunk + 1) * 1000).min(rows))
            .map(|i| ObjectEntry {
                key: format!("data/file-{i:07}.parquet"),
                size: (i as u64 * 7919) % 10_000_000,
                last_modified: Some(now),
                etag: None,
                storage_class: None,
            })
            .collect();
        browser.add_page(generation, ListingPage { folders: vec![], objects });
    }
    browser.finish(generation, ListingStatus::Complete);
    harness.run_steps(3);
    harness
}

fn frames(c: &mut Criterion) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let mut group = c.benchmark_group("frame");
    for rows in [100_000usize, 1_000_000] {
        let mut h = harness(&runtime, rows);
        group.bench_function(BenchmarkId::new("no filter", rows), |b| b.iter(|| h.step()));
        h.state_mut().state.browser.set_filter("42".into());
        h.run_steps(2);
        group.bench_function(BenchmarkId::new("filter active", rows), |b| b.iter(|| h.step()));
        let browser = &mut h.state_mut().state.browser;
        group.bench_function(BenchmarkId::new("re-filter (keystroke)", rows), |b| {
            let mut flip = false;
            b.iter(|| {
                flip = !flip;
                browser.set_filter(if flip { "42".into() } else { "421".into() });
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = frames
}
criterion_main!(benches);
