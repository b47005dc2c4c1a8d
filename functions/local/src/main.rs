//! The local server: the whole HTTP contract on the embedded store, no cloud needed.

mod client;
mod config;
mod connections;
mod serve;

use std::process::ExitCode;

use clap::Parser;

/// The pastebin: with no command, the server; with one, a client of any pastebin server.
#[derive(Parser, Debug)]
#[command(name = "pastebin", version, args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<client::Command>,
    #[command(flatten)]
    serve: config::Args,
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        None | Some(client::Command::Serve) => serve(cli.serve).await,
        Some(command) => match client::run(command).await {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("pastebin: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

async fn serve(args: config::Args) -> ExitCode {
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
