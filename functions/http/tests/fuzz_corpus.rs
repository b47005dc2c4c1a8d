//! Replays the committed fuzz corpus (`fuzz/corpus`, grown by `scripts/fuzz`) through the same
//! checks the fuzz targets run, on the stable toolchain: a parser regression on any input the
//! fuzzer ever found interesting fails here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus")
        .join(target);
    let inputs: Vec<_> = std::fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))
        .unwrap()
        .map(|entry| {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            (path, data)
        })
        .collect();
    assert!(!inputs.is_empty(), "no corpus in {}", dir.display());
    inputs
}

fn replay(target: &str, run: fn(&[u8])) {
    for (path, data) in corpus(target) {
        let outcome = std::panic::catch_unwind(|| run(&data));
        assert!(outcome.is_ok(), "{target}: {} fails", path.display());
    }
}

#[test]
fn create_bodies() {
    replay("create_body", pastebin_http::fuzzing::create_body);
}

#[test]
fn durations() {
    replay("duration", pastebin_http::fuzzing::duration);
}

#[test]
fn paste_refs() {
    replay("paste_ref", pastebin_http::fuzzing::paste_ref);
}
