//! The AWS adapter against real DynamoDB- and S3-protocol servers on loopback (ministack,
//! started by `scripts/test`, which exports `AWS_ENDPOINT_URL`).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

mod adapter;
mod common;
mod cost;
mod expire;
mod fault_proxy;
mod faults;
mod outage;
mod payload;
mod rate;
mod tls;
