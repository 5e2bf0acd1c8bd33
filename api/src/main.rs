//! The `helpdesk` binary; everything lives in the library (see `cli`).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    helpdesk_api::cli::run(helpdesk_api::cli::Cli::parse())
}
