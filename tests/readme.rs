//! The README's Rust blocks are files that `cargo test` compiles (and CI compiles again in new
//! projects with exactly the README's install lines, `.ci/readme-projects`): each block is
//! marked `<!-- file: PATH -->` and must equal that file, character for character.

use std::path::Path;

/// Every ```` ```rust ```` block with the marker line before it: (marked path, code).
fn rust_blocks(readme: &str) -> Vec<(Option<&str>, &str)> {
    let mut blocks = Vec::new();
    let mut rest = readme;
    while let Some(start) = rest.find("```rust") {
        let before = rest[..start].trim_end().lines().last().unwrap_or_default();
        let marker = before
            .strip_prefix("<!-- file: ")
            .and_then(|m| m.strip_suffix(" -->"));
        let after = &rest[start..];
        let body_start = after.find('\n').map_or(after.len(), |i| i + 1);
        let body = &after[body_start..];
        let end = body.find("\n```").map_or(body.len(), |i| i + 1);
        blocks.push((marker, &body[..end]));
        rest = &body[end..];
    }
    blocks
}

#[test]
fn every_rust_block_of_the_readme_is_a_compiled_file() {
    let readme = include_str!("../README.md");
    let blocks = rust_blocks(readme);
    assert_eq!(
        blocks.len(),
        4,
        "the library, the service, its tests, rotation"
    );
    for (marker, code) in blocks {
        let path = marker.unwrap_or_else(|| panic!("a Rust block without a file marker:\n{code}"));
        let file = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(code, file, "the README's block for {path}");
    }
}

#[test]
fn the_readme_commands_are_the_ones_ci_runs() {
    let readme = include_str!("../README.md");
    let ci = include_str!("../.ci/run");
    let (_, section) = readme
        .split_once("## The two commands")
        .expect("the section");
    let (_, block) = section.split_once("```sh\n").expect("a sh block");
    let main_job = block
        .split_once("```")
        .map_or(block, |(code, _)| code)
        .trim();
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
    assert!(
        ci.contains(".ci/readme-projects"),
        "CI builds the README's projects"
    );
}

/// The README's claim about jsonwebtoken, checked against jsonwebtoken itself.
#[test]
fn jsonwebtoken_refuses_facilioos_example_token_as_the_readme_says() {
    use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let token = std::fs::read_to_string(dir.join("example-token.txt")).expect("fixture");
    let key = DecodingKey::from_rsa_pem(
        &std::fs::read(dir.join("retired-key-2022.pem")).expect("fixture"),
    )
    .expect("a PKCS#1 key");
    let result =
        decode::<serde_json::Value>(token.trim(), &key, &Validation::new(Algorithm::RS256));
    let message = result.expect_err("refused").to_string();
    assert_eq!(
        message,
        "JSON error: expected `,` or `}` at line 1 column 98"
    );
    assert!(
        include_str!("../README.md").contains(&format!("```text\n{message}\n```")),
        "the README quotes it"
    );
}
