//! The `s3share` binary: parses arguments, owns the tokio runtime, and either opens the window
//! (no subcommand) or runs a command-line subcommand.

use std::process::ExitCode;

use clap::Parser;
use s3share::cli::{self, Cli};

fn main() -> ExitCode {
    let args = Cli::parse();
    if std::env::var_os("RUST_LOG").is_some() {
        // Logs go to stderr, only when asked for (RUST_LOG=debug, RUST_LOG=aws_smithy_runtime=trace, …).
        // aws-sigv4's trace lines hold canonical requests, whose query carries the session token of
        // presigned links: they are never shown, whatever RUST_LOG says.
        let filter = tracing_subscriber::EnvFilter::from_default_env()
            .add_directive("aws_sigv4=debug".parse().expect("a valid directive"));
        tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    }
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
