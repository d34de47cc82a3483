#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| facilioo_jwt_fuzz::inspect(data));
