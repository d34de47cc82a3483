//! Reading the token: from the argument or stdin, bounded, and cleaned of what operators paste
//! around it.

use std::io::Read as _;

use facilioo_jwt::policy::DEFAULT_MAX_TOKEN_LEN;

use crate::UsageError;

/// The most the CLI reads from stdin: twice the token cap, so that an oversized token is still
/// reported with its length, and nothing past it is read.
pub(crate) const STDIN_CAP: usize = DEFAULT_MAX_TOKEN_LEN * 2;

/// What was read as the token.
pub(crate) enum Input {
    Token(String),
    /// stdin held more than [`STDIN_CAP`] bytes (the rest was not read).
    Oversized,
}

impl Input {
    pub(crate) fn oversized_message() -> String {
        format!(
            "token is more than {STDIN_CAP} bytes, more than the limit of {DEFAULT_MAX_TOKEN_LEN}"
        )
    }
}

/// The token from the argument, or stdin for `-` or none (bytes that are not UTF-8 become
/// U+FFFD, which no token contains), cleaned of what operators paste around it. No token at
/// all is a usage error.
pub(crate) fn read_token(arg: Option<String>) -> Result<Input, UsageError> {
    let (raw, source) = match arg {
        Some(t) if t != "-" => (t, "the argument"),
        _ => {
            use std::io::IsTerminal as _;
            if std::io::stdin().is_terminal() {
                eprintln!(
                    "facilioo-jwt: reading the token from the terminal (paste it, then Ctrl-D)"
                );
            }
            let cap = u64::try_from(STDIN_CAP)
                .unwrap_or(u64::MAX)
                .saturating_add(1);
            let mut bytes = Vec::new();
            std::io::stdin()
                .take(cap)
                .read_to_end(&mut bytes)
                .map_err(|e| UsageError(format!("reading stdin: {e}")))?;
            if bytes.len() > STDIN_CAP {
                return Ok(Input::Oversized);
            }
            (String::from_utf8_lossy(&bytes).into_owned(), "stdin")
        }
    };
    let (token, stripped) = clean_token(&raw);
    if !stripped.is_empty() {
        eprintln!(
            "facilioo-jwt: read the token without {}",
            stripped.join(", ")
        );
    }
    if token.is_empty() {
        return Err(UsageError(format!("no token: {source} is empty")));
    }
    // A file's path given where the token belongs (no token names a file).
    if source == "the argument" {
        let path = std::path::Path::new(&raw);
        if path.is_file() {
            return Err(UsageError(format!(
                "{} is a file, not a token: to read the token in it, pass `-` and the file on \
                 stdin (`- < {}`)",
                path.display(),
                path.display()
            )));
        }
    }
    Ok(Input::Token(token))
}

/// Whether `word` looks like a token: 40 or more base64url characters and dots, two dots or
/// more among them.
pub(crate) fn looks_like_token(word: &str) -> bool {
    word.len() >= 40
        && word.matches('.').count() >= 2
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '='))
}

/// `text` with every run that looks like a token ([`looks_like_token`]) cut to its first 12 characters and `…`, and a note that it was: an
/// argument error never repeats a whole token.
pub(crate) fn without_tokens(text: &str) -> String {
    let is_token_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=');
    let mut out = String::with_capacity(text.len());
    let mut cut = false;
    let mut rest = text;
    while let Some(start) = rest.find(is_token_char) {
        out.push_str(&rest[..start]);
        let run = &rest[start..];
        let len = run.find(|c: char| !is_token_char(c)).unwrap_or(run.len());
        let word = &run[..len];
        if looks_like_token(word) {
            out.push_str(&word[..12]);
            out.push('…');
            cut = true;
        } else {
            out.push_str(word);
        }
        rest = &run[len..];
    }
    out.push_str(rest);
    if cut {
        out = format!(
            "{}\n\n(this looks like a token, cut above: give the token as the subcommand's \
             argument, or `-` and the token on stdin)",
            out.trim_end()
        );
    }
    out
}

/// Strips what operators paste around a token from logs, requests and terminals: surrounding
/// whitespace, a `Bearer ` scheme, a whole `Authorization: Bearer …` line (names
/// case-insensitive), quotes around it, and the line breaks a wrapped copy has inside it
/// (with the blanks at each line's ends). Returns the token and what was stripped, in order.
pub(crate) fn clean_token(raw: &str) -> (String, Vec<&'static str>) {
    fn strip_word<'a>(text: &'a str, word: &str) -> Option<&'a str> {
        let head = text.get(..word.len())?;
        head.eq_ignore_ascii_case(word).then(|| &text[word.len()..])
    }
    let mut stripped = Vec::new();
    let mut token = raw.trim();
    if token.len() != raw.len() {
        stripped.push("surrounding whitespace");
    }
    if let Some(rest) = strip_word(token, "authorization:") {
        token = rest.trim_start();
        stripped.push("the `Authorization:` header name");
    }
    if let Some(rest) = strip_word(token, "bearer")
        .filter(|rest| rest.starts_with(|c: char| c.is_ascii_whitespace()))
    {
        token = rest.trim_start();
        stripped.push("the `Bearer` scheme");
    }
    for quote in ['"', '\'', '`'] {
        if let Some(inner) = token
            .strip_prefix(quote)
            .and_then(|t| t.strip_suffix(quote))
        {
            token = inner.trim();
            stripped.push("the quotes around it");
            break;
        }
    }
    // A copy wrapped over lines: each line's own blanks at its ends go too, nothing else (a
    // space or tab within a line is the token's, and refused as the library refuses it).
    if token.contains(['\n', '\r']) {
        stripped.push("the line breaks inside it (a wrapped copy?)");
        return (token.lines().map(str::trim).collect(), stripped);
    }
    (token.to_owned(), stripped)
}
