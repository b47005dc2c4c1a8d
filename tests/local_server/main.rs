//! Black-box tests of the HTTP contract (openapi.yaml, README "Using it") against the real `pastebin` binary.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

mod burn;
mod cli;
mod common;
mod connections;
mod create;
mod delete;
mod durability;
mod encrypted;
mod expiry;
mod idempotency;
mod lesson;
mod limits;
mod ops;
mod read;
