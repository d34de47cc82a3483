//! The README's library example is `examples/readme.rs`, character for character, so the text
//! a new user pastes into `main.rs` is the program `cargo test` compiles and CI runs in a new
//! project that depends on this crate alone.

/// The first ```` ```<lang> ```` block after `heading`.
fn block_after<'a>(readme: &'a str, heading: &str, lang: &str) -> &'a str {
    let (_, section) = readme
        .split_once(heading)
        .unwrap_or_else(|| panic!("README has {heading}"));
    let (_, block) = section
        .split_once(&format!("```{lang}\n"))
        .unwrap_or_else(|| panic!("a {lang} block after {heading}"));
    block.split_once("```").map_or(block, |(code, _)| code)
}

#[test]
fn the_readme_library_example_is_examples_readme_rs() {
    let readme = include_str!("../README.md");
    assert_eq!(
        block_after(readme, "## Library example", "rust"),
        include_str!("../examples/readme.rs")
    );
}

#[test]
fn the_readme_commands_are_the_ones_ci_runs() {
    let readme = include_str!("../README.md");
    let ci = include_str!("../.ci/run");
    let main_job = block_after(readme, "## The two commands", "sh").trim();
    assert!(
        main_job.starts_with("cargo run -q --features cli -- verify "),
        "{main_job}"
    );
    // CI reads both commands out of the README and runs them, so they cannot drift apart.
    assert!(
        ci.contains("readme_command 1"),
        "CI runs the README's first command"
    );
    assert!(
        ci.contains("readme_command 2"),
        "CI runs the README's test command"
    );
}
