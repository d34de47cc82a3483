//! An HTTP client for the tests that talk to a server over loopback, and a reader of the
//! Prometheus text such a server (or a recorder) renders.
#![allow(dead_code, unreachable_pub)]

use http::StatusCode;
use http::header::{AUTHORIZATION, CONTENT_TYPE, WWW_AUTHENTICATE};

/// What a GET answered.
pub struct Reply {
    pub status: StatusCode,
    pub challenge: Option<String>,
    pub content_type: Option<String>,
    pub body: String,
}

/// GET `url`, with `authorization` as the `Authorization` header if given.
pub async fn get_with(url: &str, authorization: Option<&str>) -> Reply {
    let headers: Vec<(&str, &str)> = authorization
        .map(|a| (AUTHORIZATION.as_str(), a))
        .into_iter()
        .collect();
    send(http::Method::GET, url, &headers).await
}

/// `method` on `url` with `headers`.
pub async fn send(method: http::Method, url: &str, headers: &[(&str, &str)]) -> Reply {
    let client = reqwest::Client::new();
    let mut request = client.request(method, url);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.expect("a response");
    let header = |name| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (challenge, content_type) = (header(WWW_AUTHENTICATE), header(CONTENT_TYPE));
    Reply {
        status: response.status(),
        challenge,
        content_type,
        body: response.text().await.expect("body"),
    }
}

/// The value of the sample `series` (`name{labels}` as rendered) in Prometheus text, 0 when
/// absent.
pub fn sample(text: &str, series: &str) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            (name == series).then(|| value.parse().ok())?
        })
        .unwrap_or(0.0)
}
