//! CPU time of one frame of the real window (headless, egui_kittest) with 100,000 and 1,000,000
//! objects in the open folder, with and without an active filter; the cost of re-filtering; and
//! frame times while such a listing streams in, page by page, and while uploads run.

use criterion::{BenchmarkId, Criterion, criterion_group};
use egui_kittest::Harness;
use s3share::app::browser::ListingStatus;
use s3share::app::settings::Settings;
use s3share::app::{ClipboardSink, S3ShareApp, StartOptions};
use s3share::store::{ListingPage, ObjectEntry, S3Location};

/// The real app in a 1280×800 headless window, welcome already seen, its worker on `runtime`.
fn app(runtime: &tokio::runtime::Runtime, options: StartOptions) -> Harness<'static, S3ShareApp> {
    let handle = runtime.handle().clone();
    Harness::builder().with_size(egui::vec2(1280.0, 800.0)).build_eframe(move |cc| {
        S3ShareApp::new(&cc.egui_ctx, Settings { welcome_seen: true, ..Settings::default() }, &handle, options)
    })
}

/// The listing of a folder of `rows` objects, as the server sends it: pages of 1,000 keys in key order.
fn pages(rows: usize) -> impl Iterator<Item = ListingPage> {
    let now = chrono::Utc::now();
    (0..rows.div_ceil(1000)).map(move |chunk| ListingPage {
        folders: vec![],
        objects: (chunk * 1000..((chunk + 1) * 1000).min(rows))
            .map(|i| ObjectEntry {
                key: format!("data/file-{i:07}.parquet"),
                size: (i as u64 * 7919) % 10_000_000,
                last_modified: Some(now),
                etag: None,
                storage_class: None,
            })
            .collect(),
    })
}

fn harness(runtime: &tokio::runtime::Runtime, rows: usize) -> Harness<'static, S3ShareApp> {
    let mut harness = app(runtime, StartOptions::bare(ClipboardSink::Egui));
    let browser = &mut harness.state_mut().state.browser;
    let generation = browser.open(S3Location { bucket: "bench".into(), key: "data/".into() });
    for page in pages(rows) {
        browser.add_page(generation, page);
    }
    browser.finish(generation, ListingStatus::Complete);
    harness.run_steps(3);
    harness
}

/// Frame times while a listing of `rows` keys streams in, one page applied per frame (the worst case:
/// the server is faster than the window), sorted by size so each page lands all over the order, and
/// with a filter active.
fn frames_while_listing(runtime: &tokio::runtime::Runtime, rows: usize) {
    use s3share::app::browser::SortColumn;
    use s3share::worker::Event;
    let mut h = app(runtime, StartOptions::bare(ClipboardSink::Egui));
    let generation = h.state_mut().state.browser.open(S3Location { bucket: "bench".into(), key: "data/".into() });
    h.state_mut().state.browser.sort_by(SortColumn::Size);
    h.state_mut().state.browser.set_filter("7".into());
    h.run_steps(3);
    let (mut frames, mut applies) = (Vec::new(), Vec::new());
    for page in pages(rows) {
        let start = std::time::Instant::now();
        h.state_mut().state.apply(Event::FolderPage { generation, page });
        applies.push(start.elapsed());
        h.step();
        frames.push(start.elapsed());
    }
    assert_eq!(h.state().state.browser.rows.len(), rows);
    report(&mut applies, &format!("a listing of {rows} keys streaming in, one page applied"), None);
    report(&mut frames, &format!("a listing of {rows} keys streaming in, page applied + frame"), None);
}

/// The calling thread's resource use so far (getrusage RUSAGE_THREAD): user + system is a frame's
/// own work, apart from the time the thread waited for a core (on 2 cores, the in-process server
/// and the uploads compete with the UI thread).
#[derive(Debug, Clone, Copy)]
struct ThreadUsage {
    user: std::time::Duration,
    system: std::time::Duration,
    minor_faults: i64,
    preempted: i64,
}

fn thread_usage() -> ThreadUsage {
    // SAFETY: all-zero is a valid rusage; getrusage only writes into it.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid rusage to write into; RUSAGE_THREAD is a constant Linux knows.
    let ok = unsafe { libc::getrusage(libc::RUSAGE_THREAD, &mut usage) } == 0;
    assert!(ok, "no per-thread resource usage");
    let time = |t: libc::timeval| std::time::Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    ThreadUsage {
        user: time(usage.ru_utime),
        system: time(usage.ru_stime),
        minor_faults: usage.ru_minflt,
        preempted: usage.ru_nivcsw,
    }
}

/// Time the machine's virtual CPUs were held back by the host (the "steal" column of /proc/stat, in
/// clock ticks of 10 ms): a guest thread's CPU clock runs on through it.
fn stolen_ticks() -> u64 {
    let stat = std::fs::read_to_string("/proc/stat").unwrap_or_default();
    stat.lines().next().and_then(|cpu| cpu.split_whitespace().nth(8)).and_then(|t| t.parse().ok()).unwrap_or(0)
}

/// Prints median, p99, max and the count over 16 ms of `frames`.
fn report(frames: &mut [std::time::Duration], what: &str, wall: Option<std::time::Duration>) {
    frames.sort();
    let pct = |p: f64| frames[((frames.len() as f64 * p) as usize).min(frames.len() - 1)];
    let over = frames.iter().filter(|f| **f > std::time::Duration::from_millis(16)).count();
    let wall = wall.map_or(String::new(), |w| format!(" in {:.1} s", w.as_secs_f64()));
    println!(
        "frames during {what}: {} frames{wall}; median {:?}, p99 {:?}, max {:?}, over 16 ms: {over}",
        frames.len(),
        pct(0.5),
        pct(0.99),
        frames[frames.len() - 1],
    );
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
        group.bench_function(BenchmarkId::new("new filter (all names searched)", rows), |b| {
            let mut flip = false;
            b.iter(|| {
                flip = !flip;
                browser.set_filter(if flip { "42".into() } else { "24".into() });
            })
        });
        group.bench_function(BenchmarkId::new("one more letter typed (42 → 421)", rows), |b| {
            b.iter_custom(|iters| {
                let mut spent = std::time::Duration::ZERO;
                for _ in 0..iters {
                    browser.set_filter("42".into());
                    let start = std::time::Instant::now();
                    browser.set_filter("421".into());
                    spent += start.elapsed();
                }
                spent
            })
        });
    }
    group.finish();
}

/// Frame times while uploads run on the worker (to the in-process server), at ~60 fps: one 1 GiB
/// file, then 50 files of 0.5–25 MiB dropped at once.
fn frames_during_uploads() {
    use aws_credential_types::Credentials;
    use aws_credential_types::provider::SharedCredentialsProvider;
    use s3share::app::connections::ConnectionChoice;
    use s3share::app::settings::SavedConnection;
    use s3share::local::{LocalServer, ServerKeys};
    use std::time::Duration;

    // The app's own worker runtime: its threads run below the UI thread.
    let runtime = s3share::worker::worker_runtime().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let keys = ServerKeys { access_key: "AKBENCH".into(), secret_key: "bench-secret".into() };
    let server = runtime
        .block_on(LocalServer::start(&dir.path().join("server"), "127.0.0.1:0".parse().unwrap(), &keys, "us-east-1"))
        .unwrap();
    let credentials =
        || Some(SharedCredentialsProvider::new(Credentials::new("AKBENCH", "bench-secret", None, None, "b")));
    runtime.block_on(async {
        let store = s3share::store::Store::connect(s3share::store::ConnectionConfig {
            endpoint_url: Some(server.endpoint()),
            region: Some("us-east-1".into()),
            credentials: credentials(),
            ..Default::default()
        })
        .await
        .unwrap();
        store.create_bucket("bench").await.unwrap();
    });
    let write = |name: &str, mib: usize| {
        use std::io::Write;
        let path = dir.path().join(name);
        let mut f = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        let block: Vec<u8> = (0..1 << 19).map(|i: u32| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
        for _ in 0..mib * 2 {
            f.write_all(&block).unwrap();
        }
        path
    };
    let choice = ConnectionChoice {
        name: "bench".into(),
        saved: SavedConnection {
            name: "bench".into(),
            endpoint_url: server.endpoint(),
            region: "us-east-1".into(),
            path_style: true,
            profile: None,
        },
        credentials: credentials(),
    };
    let mut h = app(&runtime, StartOptions { command_line: Some(choice), ..StartOptions::bare(ClipboardSink::Egui) });
    while h.state().state.buckets.is_empty() {
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }
    let commands = h.state_mut().state.open_bucket("bench");
    h.state_mut().send_commands(commands);
    h.run_steps(5);
    let big = vec![write("big.bin", 1024)];
    frames_while_uploading(&mut h, big, "a 1 GiB upload");
    let many = (0..50).map(|i| write(&format!("many-{i:02}.bin"), 1 + (i * 7) % 25)).collect();
    frames_while_uploading(&mut h, many, "50 dropped files (0.5–25 MiB)");
}

/// Starts uploads of `files` into the bucket's top folder and steps the window at ~60 fps until all are done.
fn frames_while_uploading(h: &mut Harness<'static, S3ShareApp>, files: Vec<std::path::PathBuf>, what: &str) {
    use s3share::app::transfer::TransferStatus;
    use std::time::{Duration, Instant};
    let count = files.len();
    let folder = S3Location { bucket: "bench".into(), key: String::new() };
    let first = h.state().state.transfers.len();
    let commands = h.state_mut().state.upload_files(files, &folder);
    h.state_mut().send_commands(commands);
    let started = Instant::now();
    let stolen_at_start = stolen_ticks();
    let (mut frames, mut cpu) = (Vec::new(), Vec::new());
    // What the slowest frames had in common: when they came and what changed in them.
    let mut slowest: Vec<(Duration, Duration, f64, String)> = Vec::new();
    while h.state().state.transfers[first..].iter().any(|t| t.is_active()) {
        let before = frame_facts(h, first);
        let (t, u, stolen) = (Instant::now(), thread_usage(), stolen_ticks());
        h.step();
        let took = t.elapsed();
        let (u2, stolen) = (thread_usage(), stolen_ticks() - stolen);
        let work = (u2.user + u2.system) - (u.user + u.system);
        cpu.push(work);
        frames.push(took);
        let after = frame_facts(h, first);
        let facts = format!(
            "{before} → {after}; user {:?}, system {:?}, {} page faults, preempted {}×, host steal {} ticks",
            u2.user - u.user,
            u2.system - u.system,
            u2.minor_faults - u.minor_faults,
            u2.preempted - u.preempted,
            stolen
        );
        slowest.push((took, work, started.elapsed().as_secs_f64(), facts));
        slowest.sort_by_key(|f| std::cmp::Reverse(f.0));
        slowest.truncate(3);
        std::thread::sleep(Duration::from_millis(16).saturating_sub(took));
    }
    let upload = started.elapsed();
    println!("  host steal during the run: {} ticks of 10 ms", stolen_ticks() - stolen_at_start);
    for (took, work, at, facts) in &slowest {
        println!("  slow frame: {took:?} wall, {work:?} CPU, at {at:.2} s; done/toasts/links {facts}");
    }
    let transfers = &h.state().state.transfers[first..];
    assert_eq!(transfers.len(), count);
    assert!(transfers.iter().all(|t| t.status == TransferStatus::Done), "an upload failed");
    report(&mut frames, &format!("{what}, wall time"), Some(upload));
    report(&mut cpu, &format!("{what}, the UI thread's CPU time"), Some(upload));
}

/// Finished transfers, toasts shown and links copied so far, as "done/toasts/links".
fn frame_facts(h: &Harness<'static, S3ShareApp>, first: usize) -> String {
    let app = h.state();
    let done = app.state.transfers[first..].iter().filter(|t| !t.is_active()).count();
    format!("{done}/{}/{}", app.state.toasts.len(), app.copied.len())
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = frames
}

fn main() {
    // FRAME_BENCH=uploads: only the frames during uploads (the part whose maximum varies run to run).
    if std::env::var("FRAME_BENCH").as_deref() == Ok("uploads") {
        frames_during_uploads();
        return;
    }
    let runtime = tokio::runtime::Runtime::new().unwrap();
    for rows in [100_000, 1_000_000] {
        frames_while_listing(&runtime, rows);
    }
    drop(runtime);
    frames_during_uploads();
    benches();
    Criterion::default().configure_from_args().final_summary();
}
