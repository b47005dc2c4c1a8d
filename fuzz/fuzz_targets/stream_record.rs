#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pastebin_aws::stream::fuzz_record(data));
