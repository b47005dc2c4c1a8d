#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| pastebin_http::fuzzing::paste_ref(data));
