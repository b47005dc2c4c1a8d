//! Replays the stream-record fuzz corpus (`fuzz/corpus/stream_record`) on stable.
#![allow(clippy::unwrap_used)]

#[test]
fn stream_records() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fuzz/corpus/stream_record");
    let mut replayed = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        if std::panic::catch_unwind(|| pastebin_aws::stream::fuzz_record(&data)).is_err() {
            panic!("{} fails", path.display());
        }
        replayed += 1;
    }
    assert!(replayed > 0, "no corpus in {}", dir.display());
}
