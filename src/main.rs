//! The `s3share` binary: parses arguments, owns the tokio runtime, and either opens the window
//! (no subcommand) or runs a command-line subcommand.

use std::process::ExitCode;

use clap::Parser;
use s3share::cli::{self, Cli};

fn main() -> ExitCode {
    let args = Cli::parse();
    s3share::logging::init_from_env();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
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
