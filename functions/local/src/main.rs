//! The local server: the whole HTTP contract on the embedded store, no cloud needed.

mod config;
mod connections;
mod serve;

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let args = config::Args::parse();
    let config = match config::Config::load(args) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("pastebin: {e}");
            return ExitCode::from(2);
        }
    };
    pastebin_http::logging::init_logging(pastebin_http::logging::LogSink::Terminal(
        config.log_format,
    ));
    match serve::run(config).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server stopped");
            eprintln!("pastebin: {e}");
            ExitCode::FAILURE
        }
    }
}
