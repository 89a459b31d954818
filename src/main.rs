//! The `s3share` binary: parses arguments, owns the tokio runtime, runs a subcommand.

use std::process::ExitCode;

use clap::Parser;
use s3share::cli::{self, Cli};

fn main() -> ExitCode {
    let args = Cli::parse();
    let Some(command) = args.command else {
        // `arg_required_else_help` shows the help before we get here.
        return ExitCode::SUCCESS;
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("s3share: error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cli::run(&args.connection, command)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("s3share: error: {e:#}");
            ExitCode::FAILURE
        }
    }
}
