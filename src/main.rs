//! The `s3share` binary: parses arguments, owns the tokio runtime, and either opens the window
//! (no subcommand) or runs a command-line subcommand.

use std::process::ExitCode;

use clap::Parser;
use s3share::cli::{self, Cli};

fn main() -> ExitCode {
    let args = Cli::parse();
    s3share::logging::init_from_env();
    // The window's worker runs below the UI thread; a command-line transfer runs at full priority.
    let runtime = match &args.command {
        Some(_) => tokio::runtime::Builder::new_multi_thread().enable_all().build(),
        None => s3share::worker::worker_runtime(),
    };
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("s3share: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = match args.command {
        Some(command) => runtime.block_on(cli::run(&args.connection, command)),
        None => s3share::app::window::run(&runtime, &args.connection),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("s3share: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
