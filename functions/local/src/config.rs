use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use pastebin_core::{StoreKind, vars};
use pastebin_http::config::{ConfigError, Env, Settings, positive};
use pastebin_http::logging::LogFormat;

use crate::connections::ConnectionLimits;

/// Run the pastebin locally: the full HTTP API and web page on an embedded SQLite store.
///
/// Every option can also be set with the environment variable shown; the remaining settings
/// (PASTEBIN_MAX_BYTES, PASTEBIN_DEFAULT_EXPIRY, PASTEBIN_MAX_EXPIRY, PASTEBIN_CREATE_RATE,
/// PASTEBIN_READ_RATE, PASTEBIN_DELETE_RATE, PASTEBIN_PUBLIC_URL, PASTEBIN_SWEEP_INTERVAL,
/// PASTEBIN_LOG_FORMAT, PASTEBIN_ACCESS_LOG, …) are environment variables only; see the README.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Address to listen on (port 0 picks a free one).
    #[arg(long, env = "PASTEBIN_ADDR", default_value = "127.0.0.1:3000")]
    addr: String,
    /// Folder of the embedded store.
    #[arg(long, env = "PASTEBIN_DATA_DIR", default_value = "./data")]
    data_dir: PathBuf,
    /// Storage backend: `embedded` (SQLite in --data-dir) or `aws` (DynamoDB + S3: PASTEBIN_TABLE,
    /// PASTEBIN_BUCKET, PASTEBIN_HASH_KEY).
    #[arg(long, env = "PASTEBIN_STORE", default_value = "embedded")]
    store: String,
}

/// The local server keeps pastes on its disk, or in DynamoDB + S3.
const STORES: &[StoreKind] = &[StoreKind::Embedded, StoreKind::Aws];

#[derive(Debug)]
pub struct Config {
    pub addr: SocketAddr,
    pub data_dir: PathBuf,
    /// DynamoDB + S3 (`PASTEBIN_STORE=aws`); `None`: the embedded store in `data_dir`.
    pub aws: Option<pastebin_aws::AwsSettings>,
    pub settings: Settings,
    pub sweep_interval: Duration,
    pub log_format: LogFormat,
    pub connections: ConnectionLimits,
}

impl Config {
    pub fn load(args: Args) -> Result<Self, ConfigError> {
        let addr = args.addr.parse().map_err(|_| ConfigError {
            var: "PASTEBIN_ADDR",
            value: args.addr.clone(),
            reason: "expected IP:PORT, e.g. 127.0.0.1:3000 or [::1]:3000".to_owned(),
        })?;
        let aws = match StoreKind::parse(Some(&args.store), STORES)? {
            StoreKind::Aws => {
                let aws = pastebin_aws::AwsSettings::from_env()?;
                aws.require_hash_key()?;
                Some(aws)
            }
            StoreKind::Embedded | StoreKind::Memory => None,
        };
        let lookup = |name: &str| std::env::var(name).ok();
        let env = Env(&lookup);
        let sweep_interval = env.duration("PASTEBIN_SWEEP_INTERVAL", Duration::from_secs(60))?;
        if sweep_interval.is_zero() {
            return Err(ConfigError {
                var: "PASTEBIN_SWEEP_INTERVAL",
                value: "0".to_owned(),
                reason: "must be at least 1s".to_owned(),
            });
        }
        let log_format = LogFormat::from_env(&env)?;
        let defaults = ConnectionLimits::default();
        let connections = ConnectionLimits {
            header_timeout: positive(&env, vars::HEADER_TIMEOUT, defaults.header_timeout)?,
            idle_timeout: positive(&env, vars::IDLE_TIMEOUT, defaults.idle_timeout)?,
            max_connections: env.number(vars::MAX_CONNECTIONS, defaults.max_connections)?,
            shutdown_timeout: env.duration(vars::SHUTDOWN_TIMEOUT, defaults.shutdown_timeout)?,
        };
        if connections.max_connections == 0 {
            return Err(ConfigError {
                var: vars::MAX_CONNECTIONS,
                value: "0".to_owned(),
                reason: "must be at least 1".to_owned(),
            });
        }
        Ok(Self {
            addr,
            data_dir: args.data_dir,
            aws,
            settings: Settings::from_env()?,
            sweep_interval,
            log_format,
            connections,
        })
    }
}
