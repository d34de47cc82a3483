#![no_main]
libfuzzer_sys::fuzz_target!(
    |spec: facilioo_jwt_fuzz::Spec| facilioo_jwt_fuzz::verify_structured(&spec)
);
