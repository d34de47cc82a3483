//! The path an exemption is decided on: the one the router routed, read one way only.
//!
//! A router may hand its routes a path other than the one it routed on: axum's `nest` and
//! `nest_service` strip their prefix and, in doing so, fold an empty segment into it
//! (`/api//health` reaches the nested router as `/health`, after the outer router matched
//! the original against a wildcard or fallback). A handler may also read a path another way
//! than the router did: dot segments (`/public/../admin`), a percent-encoded separator or dot
//! (`%2F`, `%2e`), a backslash. An exemption is therefore considered only for a request whose
//! path cannot be read two ways ([`is_plain`]) and, where axum recorded the path it routed
//! (`OriginalUri`, feature `axum`), only when the path in hand is that path or that path less
//! a prefix ([`agrees`]). Anything else needs a token: an exemption may fail to apply, never
//! apply where it should not.

use ::http::request::Parts;

/// Whether `request`'s path is one an exemption may be decided on.
pub(super) fn exemptible(request: &Parts) -> bool {
    let path = request.uri.path();
    if !is_plain(path) {
        return false;
    }
    #[cfg(feature = "axum")]
    if let Some(axum::extract::OriginalUri(original)) = request.extensions.get() {
        return agrees(path, original.path());
    }
    true
}

/// A path that can be read one way only: `/`, or `/` and segments that are neither empty
/// (`//`, a trailing `/`), nor `.` or `..`; with no backslash and no percent-encoded `.`,
/// `/` or `\` (`%2e`, `%2f`, `%5c` in either case). A trailing `/` is refused too: a prefix
/// test such as `starts_with("/public/")` would take `/public/` for a public page, which
/// the router may well hand to a protected wildcard or fallback.
pub(super) fn is_plain(path: &str) -> bool {
    let Some(rest) = path.strip_prefix('/') else {
        return false;
    };
    if rest.is_empty() {
        return true;
    }
    !path.contains('\\')
        && !encodes_dot_or_separator(path.as_bytes())
        && rest
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..")
}

/// Whether `path` holds `%2e`, `%2f` or `%5c`, in any case.
fn encodes_dot_or_separator(path: &[u8]) -> bool {
    path.windows(3).any(|w| {
        w[0] == b'%'
            && matches!(
                (w[1], w[2].to_ascii_lowercase()),
                (b'2', b'e') | (b'2', b'f') | (b'5', b'c')
            )
    })
}

/// Whether `path`, the path in hand (plain: [`is_plain`]), is what a router that routed
/// `original` hands on: the same path, or `original` less a prefix it was nested under, or `/`
/// for a request for the prefix itself (`nest("/api", …)` hands `/api` on as `/`). Since
/// `original` must be plain too, the prefix cannot end with `/`: no empty segment was folded
/// into it.
pub(super) fn agrees(path: &str, original: &str) -> bool {
    is_plain(original) && (path == "/" || original.ends_with(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_paths() {
        for path in [
            "/",
            "/health",
            "/a/b/c",
            "/a.b/c..d/...",
            "/.well-known/x",
            "/a%20b",
            "/a%2",
            "/a%",
            "/%25",
        ] {
            assert!(is_plain(path), "{path}");
        }
        for path in [
            "",
            "health",
            "*",
            "//",
            "//health",
            "/health/",
            "/public/",
            "/a//b",
            "/.",
            "/..",
            "/./a",
            "/a/../b",
            "/a/..",
            "/a/.",
            "/a\\b",
            "/%2e%2e/a",
            "/%2E/a",
            "/a%2fb",
            "/a%2Fb",
            "/a%5cb",
            "/a%5Cb",
            "/.%2e/a",
        ] {
            assert!(!is_plain(path), "{path}");
        }
    }

    #[test]
    fn paths_that_agree_with_the_routed_one() {
        for (path, original) in [
            ("/health", "/health"),
            ("/health", "/api/health"),
            ("/health", "/v1/api/health"),
            ("/", "/api"),
        ] {
            assert!(agrees(path, original), "{path} from {original}");
        }
        for (path, original) in [
            ("/health", "/api//health"),
            ("/health", "//health"),
            ("/health", "/apihealth"),
            ("/health", "/health/"),
            ("/health", "/api/health/"),
            ("/public/x", "/api/../public/x"),
            ("/", "//"),
            ("/", "/api/"),
            ("/health/", "/api/health/"),
            ("/", "/api//"),
            ("/health", "/other"),
            ("/health", "health"),
            ("//x", "//x"),
        ] {
            assert!(!agrees(path, original), "{path} from {original}");
        }
    }
}
