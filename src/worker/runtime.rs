//! The tokio runtime the window's worker runs on.

/// How many nice steps below the window's own thread the worker's threads are scheduled.
const WORKER_NICENESS: i32 = 5;

/// A multi-thread tokio runtime for the window's worker. Its threads (async workers and the blocking
/// pool that reads and writes files) run [`WORKER_NICENESS`] steps below the thread that builds it —
/// the UI thread — so when transfers, the built-in store and the window compete for few cores, the
/// window is drawn first. Where the system refuses, threads keep the normal priority.
pub fn worker_runtime() -> std::io::Result<tokio::runtime::Runtime> {
    let niceness = thread_niceness() + WORKER_NICENESS;
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .on_thread_start(move || set_thread_niceness(niceness))
        .build()
}

/// The calling thread's nice value (0 where the system has none).
#[cfg(target_os = "linux")]
fn thread_niceness() -> i32 {
    // SAFETY: getpriority only reads; on Linux `who = 0` with PRIO_PROCESS is the calling thread.
    unsafe { libc::getpriority(libc::PRIO_PROCESS, 0) }
}

#[cfg(not(target_os = "linux"))]
fn thread_niceness() -> i32 {
    0
}

/// Sets the calling thread's nice value. An absolute value, not an increment: threads inherit their
/// creator's value, and the blocking pool's threads are started from already lowered ones.
#[cfg(target_os = "linux")]
fn set_thread_niceness(niceness: i32) {
    // SAFETY: setpriority only reads its arguments; on Linux the nice value is per thread and
    // `who = 0` is the calling thread. A refusal leaves the priority as it was.
    unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, niceness) };
}

#[cfg(not(target_os = "linux"))]
fn set_thread_niceness(_niceness: i32) {}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn worker_threads_and_file_threads_run_below_the_window() {
        let window = thread_niceness();
        let runtime = worker_runtime().unwrap();
        let (worker, blocking) = runtime.block_on(async {
            let worker = tokio::spawn(async { thread_niceness() }).await.unwrap();
            let blocking = tokio::task::spawn_blocking(thread_niceness).await.unwrap();
            (worker, blocking)
        });
        assert_eq!(worker, (window + WORKER_NICENESS).min(19));
        assert_eq!(blocking, (window + WORKER_NICENESS).min(19), "not lowered twice");
        assert_eq!(thread_niceness(), window, "the building thread keeps its priority");
    }
}
