//! A protected service under load: its servers and their load generator in one program, over
//! loopback only, bounded in requests and in time.
//!
//! ```sh
//! cargo run --release --example load --features axum,serde,testing -- [--quick] [--json FILE]
//! cargo run --release --example load --no-default-features --features aws-lc-rs,axum,serde,testing
//! cargo run --release --example load --features axum,serde,testing -- --soak 300
//! ```
//!
//! A run takes about two minutes (`--quick`: about 20 s, what CI runs). `--help` lists the
//! options: `--only NAME,…` runs some scenarios, `--rounds`, `--round-ms`, `--concurrency`,
//! `--server-threads` and `--client-threads` change the set-up. Results go to stdout (and with
//! `--json FILE` to FILE: `{"scenarios":[{"name","rps","p50_us","p99_us","p999_us",…}],
//! "ratios":[…],"machine":{…},…}`, or for a soak `{"soak":{…}}`), progress to stderr, with
//! the warning every service trusting the shipped test keys prints. Exit codes: 0 when every
//! answer was right (the ratios are reported against their targets, not judged), 1 when one
//! was not or a soak check failed, 2 for a bad argument or a file that cannot be written.
//!
//! **Scenarios.** One axum server (its own tokio runtime, one worker per core) answers `GET`
//! on three routes that run the same handler, which returns the caller's subject as JSON:
//! `/unprotected` (no authentication: the floor), `/me` (this crate's [`FaciliooToken`]
//! extractor over a [`LiveVerifier`] with a cache of 4 096 tokens) and `/jsonwebtoken/me`
//! (jsonwebtoken 11 on aws-lc-rs as its users must write it: `decode_header` and an `alg`
//! check, its `crypto::verify` over each key in turn, then hand-written claim checks, since its
//! `decode` cannot read facilioo's object `sub`). A client (its own runtime, one thread,
//! hyper, 32 keep-alive connections by default, each sending its next request when the last
//! is answered) runs each scenario in turn, round after round in a rotating order so that the
//! machine's drift cancels:
//!
//! | scenario | requests |
//! | --- | --- |
//! | `unprotected` | `/unprotected`, the `cache_hit` request (its token is not looked at) |
//! | `cache_hit` | `/me`, one valid token again and again |
//! | `distinct` | `/me`, valid tokens of test key 1 from a pool three times the cache, so each costs an RSA operation |
//! | `distinct_key3` | the same, signed by the third of the three keys |
//! | `forged` | `/me`, one token with a forged signature, replayed (the cache remembers forgeries) |
//! | `malformed` | `/me`, a token of two segments |
//! | `absent` | `/me`, no `Authorization` header |
//! | `jsonwebtoken_distinct` | `/jsonwebtoken/me`, the `distinct` pool |
//! | `jsonwebtoken_key3` | `/jsonwebtoken/me`, the `distinct_key3` pool |
//!
//! Every answer is checked (its status, its challenge, and its body: the token's subject, or
//! the refusal's reason); any other answer, or none, makes the run fail (exit code 1). Per
//! scenario it reports requests per second (the median over the rounds), latency percentiles
//! under load and with one request at a time on one connection ("alone"), RSA operations per
//! request, and CPU time per request of the server's threads, of the client's, and of the
//! server beyond the unprotected route ("auth": what authentication costs the server). The
//! RSA operation alone ([`PublicKey::verify_rs256`], the backend's call) is timed in every
//! round on an otherwise idle machine, for what it allows: `cores / t_rsa` requests per second
//! if nothing else ran, and `1 / (1 / unprotected + t_rsa / cores)` if each request cost the
//! unprotected route plus one RSA operation. Each ratio is the median of its per-round ratios.
//!
//! **Soak** (`--soak SECONDS`): a mix of valid (test keys 1, 2 and 3), expired, forged,
//! untrusted-key, malformed and absent tokens for SECONDS, while the key file is rewritten
//! and reloaded every second, alternating key sets {1, 2} and {1, 3}. Every answer is judged:
//! key 1's tokens must always pass, the untrusted key's never, key 2's and key 3's exactly
//! when their set was in force (either verdict only for a request that overlapped a swap),
//! and every refusal must carry its reason. Resident memory and open file descriptors are
//! read after each reload; the run fails on any wrong verdict, any failed request, a panic,
//! a reload that did not swap, resident memory grown by 5 % after warm-up (the last
//! quarter's mean against the first's), or a descriptor more or less (memory and
//! descriptors are judged in runs of a minute or more). Ctrl-C ends a soak early and
//! reports what ran; its temporary key file is removed however it ends.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequestParts};
use axum::http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use clap::Parser;
use facilioo_jwt::axum::FaciliooToken;
use facilioo_jwt::http::BearerAuth;
use facilioo_jwt::keys::BACKEND;
use facilioo_jwt::keys::PublicKey;
use facilioo_jwt::live::LiveVerifier;
use facilioo_jwt::testing::{TestIssuer, TestKey, TestToken};
use facilioo_jwt::{AccountId, CompanyId, KeySet, Subject, Verifier};
use http_body_util::{BodyExt as _, Empty};
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};

#[derive(Parser)]
#[command(
    about = "A protected axum service under load, beside an unprotected route and a jsonwebtoken twin"
)]
struct Args {
    /// A short run (at most a minute) that checks every answer: what CI runs.
    #[arg(long, conflicts_with = "soak")]
    quick: bool,
    /// Also write the results to FILE as one JSON object.
    #[arg(long, value_name = "FILE")]
    json: Option<PathBuf>,
    /// Instead of the scenarios, the soak: SECONDS (at most a day) of mixed requests while the
    /// keys are reloaded every second.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..=86_400))]
    soak: Option<u64>,
    /// Connections the client keeps open, each with one request in flight.
    #[arg(long, default_value_t = 32, value_parser = clap::value_parser!(u16).range(1..=1024))]
    concurrency: u16,
    /// Rounds of the scenarios (default 10; 3 with --quick).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1000))]
    rounds: Option<u32>,
    /// Milliseconds each scenario runs in a round (default 1000; 400 with --quick).
    #[arg(long, value_name = "MS", value_parser = clap::value_parser!(u64).range(10..=60_000))]
    round_ms: Option<u64>,
    /// Only these scenarios (comma-separated names; ratios need both of theirs).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "NAME",
        conflicts_with = "soak"
    )]
    only: Vec<String>,
    /// Worker threads of the server's runtime (default: one per core).
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=256))]
    server_threads: Option<u16>,
    /// Worker threads of the client's runtime.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    client_threads: u16,
}

/// Entries of the server's verified-token cache.
const CACHE: usize = 4096;
/// Thread names, by which CPU time is attributed.
const SERVER_THREAD: &str = "load-server";
const CLIENT_THREAD: &str = "load-client";
/// The company every minted token names.
const COMPANY: u64 = 7;
/// At most this many requests per scenario and round, whatever the time left.
const MAX_REQUESTS_PER_RUN: usize = 2_000_000;
/// A request not answered in this time counts as failed.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

fn main() {
    let args = Args::parse();
    std::panic::set_hook(Box::new(|info| {
        PANICS.fetch_add(1, Ordering::Relaxed);
        eprintln!("load: panic: {info}");
    }));
    if let Err(e) = check(&args) {
        eprintln!("load: {e}");
        std::process::exit(2);
    }
    let result = match args.soak {
        Some(seconds) => soak::run(&args, Duration::from_secs(seconds)),
        None => scenarios::run(&args),
    };
    match result {
        Ok(true) => {}
        Ok(false) => std::process::exit(1),
        Err(e) => {
            eprintln!("load: {e}");
            std::process::exit(2);
        }
    }
}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The scenarios, in the order they run and are reported.
const SCENARIOS: [&str; 9] = [
    "unprotected",
    "cache_hit",
    "distinct",
    "distinct_key3",
    "forged",
    "malformed",
    "absent",
    "jsonwebtoken_distinct",
    "jsonwebtoken_key3",
];

/// What can be checked before anything runs: the scenario names, and that the JSON file can
/// be written (it is created empty now, written at the end).
fn check(args: &Args) -> Result<(), BoxError> {
    if let Some(unknown) = args.only.iter().find(|n| !SCENARIOS.contains(&n.as_str())) {
        return Err(format!(
            "--only: no scenario {unknown:?} (there are {})",
            SCENARIOS.join(", ")
        )
        .into());
    }
    if let Some(path) = &args.json {
        std::fs::File::create(path).map_err(|e| format!("--json {}: {e}", path.display()))?;
    }
    Ok(())
}

/// Panics anywhere in the process (the server's handlers included), counted by the hook.
static PANICS: AtomicU64 = AtomicU64::new(0);

// ---------------------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------------------

#[derive(Clone, FromRef)]
struct App {
    auth: BearerAuth,
    twin: Arc<JwtTwin>,
}

/// The subject `/unprotected` answers with: that of the `cache_hit` token.
fn floor_subject() -> Subject {
    Subject::new(AccountId(1), Some(CompanyId(COMPANY)))
}

/// The handler every route shares: the caller's subject.
async fn subject(subject: Subject) -> Json<Subject> {
    Json(subject)
}

fn router(auth: BearerAuth, twin: Arc<JwtTwin>) -> Router {
    Router::new()
        .route("/unprotected", get(|| subject(floor_subject())))
        .route("/me", get(|token: FaciliooToken| subject(token.subject())))
        .route(
            "/jsonwebtoken/me",
            get(|JwtSubject(s): JwtSubject| subject(s)),
        )
        .with_state(App { auth, twin })
}

/// A server on its own runtime (`threads` workers), listening on a loopback port.
struct Server {
    runtime: tokio::runtime::Runtime,
    addr: std::net::SocketAddr,
}

impl Server {
    fn start(threads: usize, app: Router) -> Result<Self, BoxError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .thread_name(SERVER_THREAD)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
        let addr = listener.local_addr()?;
        runtime.spawn(async move { axum::serve(listener, app).await });
        Ok(Self { runtime, addr })
    }
}

// ---------------------------------------------------------------------------------------
// The jsonwebtoken twin: what a service using jsonwebtoken 11 has to write for facilioo's
// tokens, since its `decode` cannot type an object `sub`.
// ---------------------------------------------------------------------------------------

struct JwtTwin {
    keys: Vec<jsonwebtoken::DecodingKey>,
    issuer: String,
    audience: String,
    /// RSA operations, to show what trying each key in turn costs.
    rsa_calls: AtomicU64,
}

#[derive(serde::Deserialize)]
struct TwinClaims {
    exp: i64,
    nbf: Option<i64>,
    iss: String,
    aud: TwinAudience,
    sub: TwinSubject,
}

#[derive(serde::Deserialize)]
#[serde(untagged)]
enum TwinAudience {
    One(String),
    Many(Vec<String>),
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct TwinSubject {
    account_id: u64,
    company_id: Option<u64>,
}

impl JwtTwin {
    fn new(issuer: &TestIssuer) -> Result<Self, BoxError> {
        let keys = TestKey::TRUSTED
            .iter()
            .map(|k| jsonwebtoken::DecodingKey::from_rsa_pem(k.public_pem().as_bytes()))
            .collect::<Result<_, _>>()?;
        Ok(Self {
            keys,
            issuer: issuer.issuer().to_owned(),
            audience: issuer.audience().to_owned(),
            rsa_calls: AtomicU64::new(0),
        })
    }

    fn verify(&self, token: &str, now: i64) -> Option<Subject> {
        use jsonwebtoken::Algorithm::RS256;
        if jsonwebtoken::decode_header(token).ok()?.alg != RS256 {
            return None;
        }
        let (message, signature) = token.rsplit_once('.')?;
        let mut calls = 0;
        let verified = self.keys.iter().any(|key| {
            calls += 1;
            jsonwebtoken::crypto::verify(signature, message.as_bytes(), key, RS256).unwrap_or(false)
        });
        self.rsa_calls.fetch_add(calls, Ordering::Relaxed);
        if !verified {
            return None;
        }
        let payload = URL_SAFE_NO_PAD.decode(message.split_once('.')?.1).ok()?;
        let claims: TwinClaims = serde_json::from_slice(&payload).ok()?;
        let leeway = 60;
        let current = claims.nbf.is_none_or(|nbf| nbf - leeway <= now) && now < claims.exp + leeway;
        let audience = match &claims.aud {
            TwinAudience::One(aud) => *aud == self.audience,
            TwinAudience::Many(auds) => auds.contains(&self.audience),
        };
        (current && claims.iss == self.issuer && audience).then(|| {
            Subject::new(
                AccountId(claims.sub.account_id),
                claims.sub.company_id.map(CompanyId),
            )
        })
    }
}

/// The twin's extractor.
struct JwtSubject(Subject);

impl<S: Send + Sync> FromRequestParts<S> for JwtSubject
where
    Arc<JwtTwin>: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let refuse = || {
            let challenge = HeaderValue::from_static(r#"Bearer error="invalid_token""#);
            (StatusCode::UNAUTHORIZED, [(WWW_AUTHENTICATE, challenge)]).into_response()
        };
        let token = parts
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .ok_or_else(refuse)?;
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let twin = Arc::<JwtTwin>::from_ref(state);
        twin.verify(token, now).map(JwtSubject).ok_or_else(refuse)
    }
}

// ---------------------------------------------------------------------------------------
// Requests, and what each must be answered with
// ---------------------------------------------------------------------------------------

/// One request to send, and the answer it must get.
#[derive(Clone)]
struct Probe {
    authorization: Option<HeaderValue>,
    expect: Expect,
}

#[derive(Clone)]
enum Expect {
    /// 200 with exactly this body.
    Subject(Bytes),
    /// 401 with this refusal's reason in the body (`None`: no body, the bare challenge).
    Refused(Option<&'static str>),
}

impl Expect {
    fn subject(account: u64) -> Self {
        let subject = Subject::new(AccountId(account), Some(CompanyId(COMPANY)));
        Self::Subject(Bytes::from(
            serde_json::to_vec(&subject).unwrap_or_default(),
        ))
    }

    /// Whether `status` and `body` are this answer.
    fn matches(&self, status: StatusCode, challenged: bool, body: &[u8]) -> bool {
        match self {
            Self::Subject(expected) => status == StatusCode::OK && body == &expected[..],
            Self::Refused(reason) => {
                status == StatusCode::UNAUTHORIZED
                    && challenged
                    && match reason {
                        None => body.is_empty(),
                        Some(reason) => reason_of(body) == Some(reason),
                    }
            }
        }
    }
}

/// The `reason` of a refusal's JSON body.
fn reason_of(body: &[u8]) -> Option<&str> {
    let at = memchr::memmem::find(body, br#""reason":""#)? + br#""reason":""#.len();
    let rest = &body[at..];
    let end = memchr::memchr(b'"', rest)?;
    std::str::from_utf8(&rest[..end]).ok()
}

impl Probe {
    fn new(token: Option<&TestToken>, expect: Expect) -> Self {
        Self {
            authorization: token.map(|t| {
                HeaderValue::from_str(&t.authorization()).expect("a token is a header value")
            }),
            expect,
        }
    }
}

/// Mints `count` tokens with `build(index)` on every core (RSA signing costs about a
/// millisecond each).
fn mint<F>(count: usize, build: F) -> Vec<TestToken>
where
    F: Fn(&TestIssuer, usize) -> TestToken + Sync,
{
    let threads = cores().min(count.max(1));
    let mut tokens: Vec<Option<TestToken>> = (0..count).map(|_| None).collect();
    let chunk = count.div_ceil(threads).max(1);
    std::thread::scope(|s| {
        for (c, slots) in tokens.chunks_mut(chunk).enumerate() {
            let build = &build;
            s.spawn(move || {
                let issuer = TestIssuer::new();
                for (i, slot) in slots.iter_mut().enumerate() {
                    *slot = Some(build(&issuer, c * chunk + i));
                }
            });
        }
    });
    tokens.into_iter().flatten().collect()
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

// ---------------------------------------------------------------------------------------
// The client
// ---------------------------------------------------------------------------------------

/// One keep-alive connection.
type Connection = SendRequest<Empty<Bytes>>;

async fn connect(addr: std::net::SocketAddr) -> Result<Connection, BoxError> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, connection) = http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(connection);
    Ok(sender)
}

/// How one request went.
enum Answer {
    /// The expected answer.
    Right,
    /// An answer, not the expected one.
    Wrong(StatusCode, Option<String>),
    /// No answer: the connection failed or the request timed out.
    Failed,
}

/// Sends `probe` to `path` on `connection`: the answer's status, whether it challenges
/// (`WWW-Authenticate: Bearer …`) and its body, or `None` if none came.
async fn exchange(
    connection: &mut Connection,
    path: &str,
    probe: &Probe,
) -> Option<(StatusCode, bool, Bytes)> {
    let exchange = async {
        connection.ready().await?;
        let mut request = Request::get(path);
        if let Some(value) = &probe.authorization {
            request = request.header(AUTHORIZATION, value);
        }
        let response = connection.send_request(request.body(Empty::new())?).await?;
        let status = response.status();
        let challenged = response
            .headers()
            .get(WWW_AUTHENTICATE)
            .is_some_and(|v| v.as_bytes().starts_with(b"Bearer"));
        let body = response.into_body().collect().await?.to_bytes();
        Ok::<_, BoxError>((status, challenged, body))
    };
    tokio::time::timeout(REQUEST_TIMEOUT, exchange)
        .await
        .ok()?
        .ok()
}

/// Sends `probe` and judges the answer.
async fn send(connection: &mut Connection, path: &str, probe: &Probe) -> Answer {
    match exchange(connection, path, probe).await {
        Some((status, challenged, body)) if probe.expect.matches(status, challenged, &body) => {
            Answer::Right
        }
        Some((status, _, body)) => Answer::Wrong(status, reason_of(&body).map(str::to_owned)),
        None => Answer::Failed,
    }
}

// ---------------------------------------------------------------------------------------
// What the machine is, and how busy its threads were
// ---------------------------------------------------------------------------------------

/// CPU time, in nanoseconds, of this process's threads whose name starts with `prefix`
/// (Linux; `None` elsewhere).
fn cpu_ns(prefix: &str) -> Option<u64> {
    let mut total = 0;
    for task in std::fs::read_dir("/proc/self/task").ok()? {
        let dir = task.ok()?.path();
        let Ok(name) = std::fs::read_to_string(dir.join("comm")) else {
            continue; // the thread ended
        };
        if name.trim_end().starts_with(prefix) {
            let Ok(stat) = std::fs::read_to_string(dir.join("schedstat")) else {
                continue;
            };
            total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
        }
    }
    Some(total)
}

/// Resident memory (KiB) and open file descriptors of this process (Linux).
fn memory_and_fds() -> Option<(u64, usize)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let rss = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()?;
    let fds = std::fs::read_dir("/proc/self/fd").ok()?.count();
    Some((rss, fds))
}

fn machine() -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|l| l.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown".to_owned());
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .map_or_else(|_| "unknown".to_owned(), |s| s.trim().to_owned());
    json!({
        "cpu": cpu,
        "cores": cores(),
        "os": format!("{} {kernel}", std::env::consts::OS),
    })
}

fn profile() -> &'static str {
    if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    }
}

fn write_json(path: &Path, value: &Value) -> Result<(), BoxError> {
    let text = serde_json::to_string_pretty(value)? + "\n";
    std::fs::write(path, text).map_err(|e| format!("--json {}: {e}", path.display()).into())
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

mod scenarios {
    use super::*;

    /// A scenario: a route and the requests sent to it, in turn.
    pub(super) struct Scenario {
        pub name: &'static str,
        path: &'static str,
        probes: Arc<[Probe]>,
        next: AtomicUsize,
        /// Whether its RSA operations are counted by the crate's verifier (else the twin's).
        twin: bool,
    }

    /// The answers that were not the expected ones: wrong ones by status and reason, and
    /// requests that got none.
    #[derive(Default)]
    struct Answers {
        wrong: BTreeMap<(u16, Option<String>), u64>,
        failed: u64,
    }

    impl Answers {
        fn add(&mut self, other: Self) {
            for (k, n) in other.wrong {
                *self.wrong.entry(k).or_default() += n;
            }
            self.failed += other.failed;
        }

        fn all_right(&self) -> bool {
            self.wrong.is_empty() && self.failed == 0
        }
    }

    /// What one scenario did in one round.
    #[derive(Default)]
    struct Run {
        requests: u64,
        answers: Answers,
        latencies_ns: Vec<u64>,
        seconds: f64,
        server_cpu_ns: Option<u64>,
        client_cpu_ns: Option<u64>,
        rsa_calls: u64,
    }

    /// Everything a scenario did over the rounds.
    #[derive(Default)]
    struct Tally {
        rps: Vec<f64>,
        requests: u64,
        answers: Answers,
        latencies_ns: Vec<u64>,
        seconds: f64,
        server_cpu_ns: Option<u64>,
        client_cpu_ns: Option<u64>,
        rsa_calls: u64,
        /// Latencies of the requests sent alone, one connection at a time.
        alone_ns: Vec<u64>,
    }

    impl Tally {
        /// A run on one connection: its answers count, its latencies are kept apart, and its
        /// throughput and CPU time are not the scenario's.
        fn add_alone(&mut self, run: Run) {
            self.answers.add(run.answers);
            self.alone_ns.extend(run.latencies_ns);
        }

        fn add(&mut self, run: Run) {
            self.rps.push(run.requests as f64 / run.seconds);
            self.requests += run.requests;
            self.answers.add(run.answers);
            self.latencies_ns.extend(run.latencies_ns);
            self.seconds += run.seconds;
            self.server_cpu_ns = add_opt(self.server_cpu_ns, run.server_cpu_ns);
            self.client_cpu_ns = add_opt(self.client_cpu_ns, run.client_cpu_ns);
            self.rsa_calls += run.rsa_calls;
        }
    }

    fn add_opt(a: Option<u64>, b: Option<u64>) -> Option<u64> {
        Some(a.unwrap_or(0) + b?)
    }

    pub(super) fn run(args: &Args) -> Result<bool, BoxError> {
        let rounds = args.rounds.unwrap_or(if args.quick { 3 } else { 10 });
        let round =
            Duration::from_millis(args.round_ms.unwrap_or(if args.quick { 400 } else { 1000 }));
        let pool = 3 * CACHE;
        let server_threads = args.server_threads.map_or_else(cores, usize::from);
        let concurrency = usize::from(args.concurrency);

        let started = Instant::now();
        let issuer = TestIssuer::new();
        eprintln!(
            "minting {} tokens on {} threads…",
            2 * pool + 3,
            cores().min(2 * pool)
        );
        let key = |key: TestKey, offset: u64| {
            mint(pool, move |issuer, i| {
                let account = offset + i as u64;
                issuer
                    .token()
                    .account(account)
                    .company(COMPANY)
                    .signed_by(key)
                    .sign()
            })
            .into_iter()
            .enumerate()
            .map(move |(i, t)| Probe::new(Some(&t), Expect::subject(offset + i as u64)))
            .collect::<Arc<[Probe]>>()
        };
        let key1 = key(TestKey::One, 1_000_000);
        let key3 = key(TestKey::Three, 2_000_000);
        let hit = issuer.token().account(1).company(COMPANY).sign();
        let forged = issuer
            .token()
            .account(1)
            .company(COMPANY)
            .bad_signature()
            .sign();
        let malformed = issuer.token().malformed().sign();
        eprintln!("minted in {:.1} s", started.elapsed().as_secs_f64());

        let live =
            LiveVerifier::new(Verifier::new(issuer.key_set(), issuer.policy()).with_cache(CACHE));
        let twin = Arc::new(JwtTwin::new(&issuer)?);
        let server = Server::start(
            server_threads,
            router(BearerAuth::live(live.clone()), Arc::clone(&twin)),
        )?;
        let scenario = |name, path, probes: Arc<[Probe]>| Scenario {
            name,
            path,
            probes,
            next: AtomicUsize::new(0),
            twin: path == "/jsonwebtoken/me",
        };
        let mut scenarios = vec![
            scenario(
                "unprotected",
                "/unprotected",
                vec![Probe::new(Some(&hit), Expect::subject(1))].into(),
            ),
            scenario(
                "cache_hit",
                "/me",
                vec![Probe::new(Some(&hit), Expect::subject(1))].into(),
            ),
            scenario("distinct", "/me", Arc::clone(&key1)),
            scenario("distinct_key3", "/me", Arc::clone(&key3)),
            scenario(
                "forged",
                "/me",
                vec![Probe::new(
                    Some(&forged),
                    Expect::Refused(Some("invalid_signature")),
                )]
                .into(),
            ),
            scenario(
                "malformed",
                "/me",
                vec![Probe::new(
                    Some(&malformed),
                    Expect::Refused(Some("malformed")),
                )]
                .into(),
            ),
            scenario(
                "absent",
                "/me",
                vec![Probe::new(None, Expect::Refused(None))].into(),
            ),
            scenario("jsonwebtoken_distinct", "/jsonwebtoken/me", key1),
            scenario("jsonwebtoken_key3", "/jsonwebtoken/me", key3),
        ];
        debug_assert!(scenarios.iter().map(|s| s.name).eq(SCENARIOS));
        if !args.only.is_empty() {
            scenarios.retain(|s| args.only.iter().any(|n| n == s.name));
        }

        let client = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(usize::from(args.client_threads))
            .thread_name(CLIENT_THREAD)
            .enable_all()
            .build()?;
        let mut connections = client.block_on(async {
            let mut connections = Vec::with_capacity(concurrency);
            for _ in 0..concurrency {
                connections.push(connect(server.addr).await?);
            }
            Ok::<_, BoxError>(connections)
        })?;
        let rsa_key = TestKey::One.public_key();
        let (message, signature) = {
            let token = &hit;
            let (message, signature) = token.as_str().rsplit_once('.').expect("three segments");
            (message.to_owned(), URL_SAFE_NO_PAD.decode(signature)?)
        };

        eprintln!(
            "{rounds} rounds of {} ms per scenario; {concurrency} connections; server {server_threads} threads, client {}; {BACKEND}, {}",
            round.as_millis(),
            args.client_threads,
            profile()
        );
        // Warm-up: connections, caches, the key-order memory; not counted.
        for s in &scenarios {
            let (c, _) =
                client.block_on(drive(connections, s, round / 4, &live, &twin, server.addr));
            connections = c;
        }
        let mut tallies: Vec<Tally> = scenarios.iter().map(|_| Tally::default()).collect();
        let mut rsa_ns = Vec::new();
        let mut per_round: Vec<Vec<f64>> = Vec::new();
        for r in 0..rounds as usize {
            rsa_ns.push(time_rsa(
                &rsa_key,
                message.as_bytes(),
                &signature,
                round / 10,
            ));
            let mut rps = vec![0.0; scenarios.len()];
            for i in 0..scenarios.len() {
                let i = (i + r) % scenarios.len();
                let (c, run) = client.block_on(drive(
                    connections,
                    &scenarios[i],
                    round,
                    &live,
                    &twin,
                    server.addr,
                ));
                connections = c;
                rps[i] = run.requests as f64 / run.seconds;
                tallies[i].add(run);
            }
            per_round.push(rps);
            // Alone: one connection, one request at a time, for the latency a request pays
            // when the server has nothing else to do.
            for i in 0..scenarios.len() {
                let i = (i + r) % scenarios.len();
                let one = connections.split_off(connections.len() - 1);
                let (c, run) = client.block_on(drive(
                    one,
                    &scenarios[i],
                    round / 5,
                    &live,
                    &twin,
                    server.addr,
                ));
                connections.extend(c);
                tallies[i].add_alone(run);
            }
            eprint!(".");
        }
        eprintln!();
        drop(connections);
        client.shutdown_background();
        server.runtime.shutdown_background();

        let report = Report::new(
            args,
            &scenarios,
            &mut tallies,
            &per_round,
            &mut rsa_ns,
            server_threads,
            pool,
            started,
        );
        report.print();
        if let Some(path) = &args.json {
            write_json(path, &report.json)?;
        }
        Ok(report.passed)
    }

    /// Times the RSA operation alone on this (otherwise idle) thread for about `budget`;
    /// nanoseconds per call.
    fn time_rsa(key: &PublicKey, message: &[u8], signature: &[u8], budget: Duration) -> f64 {
        let start = Instant::now();
        let mut calls = 0u32;
        while calls < 10 || start.elapsed() < budget {
            assert!(
                key.verify_rs256(std::hint::black_box(message), signature)
                    .is_ok()
            );
            calls += 1;
        }
        start.elapsed().as_nanos() as f64 / f64::from(calls)
    }

    /// Runs `scenario` on every connection for `duration`; gives the connections back.
    async fn drive(
        connections: Vec<Connection>,
        scenario: &Scenario,
        duration: Duration,
        live: &LiveVerifier,
        twin: &JwtTwin,
        addr: std::net::SocketAddr,
    ) -> (Vec<Connection>, Run) {
        let rsa_before = rsa_calls(scenario, live, twin);
        let (server_before, client_before) = (cpu_ns(SERVER_THREAD), cpu_ns(CLIENT_THREAD));
        let start = Instant::now();
        let deadline = start + duration;
        let mut tasks = tokio::task::JoinSet::new();
        let probes = Arc::clone(&scenario.probes);
        let first = scenario.next.load(Ordering::Relaxed);
        let next = Arc::new(AtomicUsize::new(first));
        for mut connection in connections {
            let (path, probes, next) = (scenario.path, Arc::clone(&probes), Arc::clone(&next));
            tasks.spawn(async move {
                let mut run = Run::default();
                while Instant::now() < deadline {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    if n.wrapping_sub(first) >= MAX_REQUESTS_PER_RUN {
                        break;
                    }
                    let i = n % probes.len();
                    let sent = Instant::now();
                    match send(&mut connection, path, &probes[i]).await {
                        Answer::Right => {}
                        Answer::Wrong(status, reason) => {
                            *run.answers
                                .wrong
                                .entry((status.as_u16(), reason))
                                .or_default() += 1;
                        }
                        Answer::Failed => {
                            run.answers.failed += 1;
                            match connect(addr).await {
                                Ok(fresh) => connection = fresh,
                                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                            }
                        }
                    }
                    run.latencies_ns.push(sent.elapsed().as_nanos() as u64);
                    run.requests += 1;
                }
                (connection, run)
            });
        }
        let mut connections = Vec::new();
        let mut total = Run::default();
        while let Some(joined) = tasks.join_next().await {
            let Ok((connection, run)) = joined else {
                total.answers.failed += 1;
                continue;
            };
            connections.push(connection);
            total.requests += run.requests;
            total.answers.add(run.answers);
            total.latencies_ns.extend(run.latencies_ns);
        }
        total.seconds = start.elapsed().as_secs_f64();
        scenario
            .next
            .store(next.load(Ordering::Relaxed), Ordering::Relaxed);
        total.server_cpu_ns = cpu_ns(SERVER_THREAD).zip(server_before).map(|(a, b)| a - b);
        total.client_cpu_ns = cpu_ns(CLIENT_THREAD).zip(client_before).map(|(a, b)| a - b);
        total.rsa_calls = rsa_calls(scenario, live, twin) - rsa_before;
        (connections, total)
    }

    fn rsa_calls(scenario: &Scenario, live: &LiveVerifier, twin: &JwtTwin) -> u64 {
        if scenario.twin {
            twin.rsa_calls.load(Ordering::Relaxed)
        } else {
            live.stats().signature_checks
        }
    }

    struct Report {
        json: Value,
        lines: Vec<String>,
        passed: bool,
    }

    impl Report {
        #[allow(clippy::too_many_arguments)]
        fn new(
            args: &Args,
            scenarios: &[Scenario],
            tallies: &mut [Tally],
            per_round: &[Vec<f64>],
            rsa_ns: &mut [f64],
            server_threads: usize,
            pool: usize,
            started: Instant,
        ) -> Self {
            let index = |name: &str| scenarios.iter().position(|s| s.name == name);
            let cores = cores() as f64;
            let mut lines = vec![format!(
                "{:<22} {:>8} {:>7} {:>7} {:>8} {:>12} {:>12} {:>7} {:>9} {:>9} {:>9} {:>5}  answers",
                "scenario",
                "req/s",
                "p50 µs",
                "p99 µs",
                "p99.9 µs",
                "alone p50 µs",
                "alone p99 µs",
                "RSA/req",
                "server µs",
                "auth µs",
                "client µs",
                "busy"
            )];
            // CPU time per request: the server's, the client's, and what the server spends
            // beyond the unprotected route (authentication's share).
            let per_request = |t: &Tally, ns: Option<u64>| {
                ns.map(|ns| ns as f64 / t.requests.max(1) as f64 / 1000.0)
            };
            let floor_us = index("unprotected")
                .and_then(|u| per_request(&tallies[u], tallies[u].server_cpu_ns));
            let mut auth_us = Vec::new();
            let mut passed = true;
            let mut json_scenarios = Vec::new();
            for (s, t) in scenarios.iter().zip(tallies.iter_mut()) {
                t.latencies_ns.sort_unstable();
                t.alone_ns.sort_unstable();
                let pct = |q: f64| percentile(&t.latencies_ns, q) / 1000.0;
                let alone = |q: f64| percentile(&t.alone_ns, q) / 1000.0;
                let rps = median(&mut t.rps.clone());
                let (server_us, client_us) = (
                    per_request(t, t.server_cpu_ns),
                    per_request(t, t.client_cpu_ns),
                );
                let auth = server_us.zip(floor_us).map(|(s, f)| s - f);
                // The share of the cores' time the server's and the client's threads used.
                let busy = t
                    .server_cpu_ns
                    .zip(t.client_cpu_ns)
                    .map(|(a, b)| (a + b) as f64 / 1e9 / t.seconds / cores);
                auth_us.push(auth);
                let rsa = t.rsa_calls as f64 / t.requests.max(1) as f64;
                let right = t.answers.all_right() && t.requests > 0;
                passed &= right;
                let answers = if right {
                    "all as expected".to_owned()
                } else {
                    format!(
                        "{} wrong {:?}, {} failed",
                        t.answers.wrong.values().sum::<u64>(),
                        t.answers.wrong,
                        t.answers.failed
                    )
                };
                let show =
                    |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.1}"));
                lines.push(format!(
                    "{:<22} {:>8.0} {:>7.0} {:>7.0} {:>8.0} {:>12.0} {:>12.0} {:>7.2} {:>9} {:>9} {:>9} {:>5}  {answers}",
                    s.name,
                    rps,
                    pct(0.5),
                    pct(0.99),
                    pct(0.999),
                    alone(0.5),
                    alone(0.99),
                    rsa,
                    show(server_us),
                    show(auth),
                    show(client_us),
                    busy.map_or_else(|| "n/a".to_owned(), |b| format!("{b:.2}"))
                ));
                json_scenarios.push(json!({
                    "name": s.name,
                    "route": s.path,
                    "rps": round(rps, 0),
                    "p50_us": round(pct(0.5), 1),
                    "p99_us": round(pct(0.99), 1),
                    "p999_us": round(pct(0.999), 1),
                    "alone_p50_us": round(alone(0.5), 1),
                    "alone_p99_us": round(alone(0.99), 1),
                    "requests": t.requests,
                    "rsa_per_request": round(rsa, 3),
                    "server_cpu_us_per_request": server_us.map(|v| round(v, 2)),
                    "auth_cpu_us_per_request": auth.map(|v| round(v, 2)),
                    "client_cpu_us_per_request": client_us.map(|v| round(v, 2)),
                    "cpu_busy": busy.map(|b| round(b, 3)),
                    "expected": match &s.probes[0].expect {
                        Expect::Subject(_) => "200 and the token's subject".to_owned(),
                        Expect::Refused(None) => "401, bare challenge".to_owned(),
                        Expect::Refused(Some(r)) => format!("401 {r}"),
                    },
                    "wrong_answers": t.answers.wrong.values().sum::<u64>(),
                    "failed": t.answers.failed,
                }));
            }

            // Per-round ratios, then their medians.
            let t_rsa = median(rsa_ns);
            let ratio = |f: &dyn Fn(&[f64], f64) -> f64| -> f64 {
                let mut v: Vec<f64> = per_round
                    .iter()
                    .zip(rsa_ns.iter())
                    .map(|(r, t)| f(r, *t))
                    .collect();
                median(&mut v)
            };
            let (u, hit, d, d3, forged) = (
                index("unprotected"),
                index("cache_hit"),
                index("distinct"),
                index("distinct_key3"),
                index("forged"),
            );
            let (jd, j3) = (index("jsonwebtoken_distinct"), index("jsonwebtoken_key3"));
            // Requests per second, one scenario against another (when both ran).
            let rps = |a: Option<usize>, b: Option<usize>| {
                a.zip(b).map(|(a, b)| ratio(&|r, _| r[a] / r[b]))
            };
            // What each request would allow if it cost the unprotected route plus one RSA
            // operation, spread over the cores the server shares with the client.
            let allowed = |r: &[f64], u: usize, t: f64| 1.0 / (1.0 / r[u] + t / 1e9 / cores);
            let allowed_rps = u.map(|u| ratio(&|r, t| allowed(r, u, t)));
            // Authentication's server CPU per request, one against another.
            let cpu = |a: Option<usize>, b: Option<usize>| Some(auth_us[a?]? / auth_us[b?]?);
            let aws = BACKEND == "aws-lc-rs";
            let targets: Vec<(&str, Option<f64>, Option<f64>, bool)> = vec![
                ("cache_hit / unprotected", rps(hit, u), Some(0.9), true),
                (
                    "distinct / unprotected + one RSA operation",
                    u.zip(d)
                        .map(|(u, d)| ratio(&|r, t| r[d] / allowed(r, u, t))),
                    Some(0.9),
                    true,
                ),
                ("distinct_key3 / distinct", rps(d3, d), Some(0.95), true),
                ("forged / cache_hit", rps(forged, hit), Some(0.9), true),
                (
                    "distinct / jsonwebtoken_distinct",
                    rps(d, jd),
                    Some(1.1),
                    aws,
                ),
                (
                    "distinct_key3 / jsonwebtoken_key3",
                    rps(d3, j3),
                    Some(2.5),
                    aws,
                ),
                (
                    "auth CPU: distinct / RSA alone",
                    d.and_then(|d| auth_us[d]).map(|a| a * 1000.0 / t_rsa),
                    None,
                    false,
                ),
                (
                    "auth CPU: jsonwebtoken_distinct / distinct",
                    cpu(jd, d),
                    None,
                    false,
                ),
                (
                    "auth CPU: jsonwebtoken_key3 / distinct_key3",
                    cpu(j3, d3),
                    None,
                    false,
                ),
            ];
            lines.push(String::new());
            lines.push(format!(
                "RSA operation alone: {:.2} µs; on {} cores it allows {:.0} req/s with nothing else to do{}",
                t_rsa / 1000.0,
                cores,
                cores / (t_rsa / 1e9),
                allowed_rps.map_or(String::new(), |a| format!(", {a:.0} req/s on top of the unprotected route")),
            ));
            let mut json_ratios = Vec::new();
            for (name, value, threshold, applies) in targets {
                let Some(value) = value else {
                    continue; // a scenario it compares did not run (--only)
                };
                let met = threshold.map(|t| value >= t);
                let target = threshold.map(|t| format!(">= {t}"));
                let verdict = match (met, applies) {
                    (None, _) => "",
                    (Some(_), false) => "(a target on aws-lc-rs only)",
                    (Some(true), true) => "met",
                    (Some(false), true) => "NOT met",
                };
                lines.push(format!(
                    "{name:<44} {value:>6.3}  {:<14} {verdict}",
                    target
                        .as_deref()
                        .map_or(String::new(), |t| format!("target {t}"))
                ));
                json_ratios.push(json!({
                    "name": name, "value": round(value, 3), "target": target,
                    "applies": applies && met.is_some(), "met": met,
                }));
            }
            lines.push(format!(
                "answers: {}; {:.0} s in all",
                if passed {
                    "every request got its expected answer"
                } else {
                    "SOME REQUESTS GOT A WRONG ANSWER OR NONE"
                },
                started.elapsed().as_secs_f64()
            ));
            let json = json!({
                "scenarios": json_scenarios,
                "ratios": json_ratios,
                "backend": BACKEND,
                "jsonwebtoken_backend": "aws-lc-rs (jsonwebtoken 11, feature aws_lc_rs)",
                "profile": profile(),
                "machine": machine(),
                "concurrency": args.concurrency,
                "server_threads": server_threads,
                "client_threads": args.client_threads,
                "rounds": per_round.len(),
                "round_ms": args.round_ms.unwrap_or(if args.quick { 400 } else { 1000 }),
                "cache_entries": CACHE,
                "distinct_pool_per_key": pool,
                "rsa_us": round(t_rsa / 1000.0, 3),
                "rsa_only_rps": round(cores / (t_rsa / 1e9), 0),
                "rsa_allowed_rps": allowed_rps.map(|a| round(a, 0)),
                "all_answers_expected": passed,
            });
            Self {
                json,
                lines,
                passed,
            }
        }

        fn print(&self) {
            for line in &self.lines {
                println!("{line}");
            }
        }
    }

    pub(super) fn percentile(sorted: &[u64], q: f64) -> f64 {
        if sorted.is_empty() {
            return f64::NAN;
        }
        let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1] as f64
    }

    fn round(v: f64, digits: i32) -> f64 {
        let scale = 10f64.powi(digits);
        (v * scale).round() / scale
    }
}

mod soak {
    use super::*;

    /// What a soak request carries.
    #[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
    enum Kind {
        Shared,
        Key2,
        Key3,
        Untrusted,
        Expired,
        Forged,
        Malformed,
        Absent,
    }

    impl Kind {
        fn name(self) -> &'static str {
            match self {
                Self::Shared => "valid, key 1 (in both sets)",
                Self::Key2 => "valid, key 2 (in keys 1+2)",
                Self::Key3 => "valid, key 3 (in keys 1+3)",
                Self::Untrusted => "valid, a key never loaded",
                Self::Expired => "expired",
                Self::Forged => "forged signature",
                Self::Malformed => "malformed",
                Self::Absent => "absent",
            }
        }
    }

    impl Kind {
        /// Its pool of requests, accounts numbered from `first`, valid for `lifetime`.
        fn pool(self, first: u64, lifetime: Duration) -> Vec<Probe> {
            let size = match self {
                Self::Shared => 3000,
                Self::Key2 | Self::Key3 => 1000,
                Self::Untrusted | Self::Expired | Self::Forged => 100,
                Self::Malformed => 20,
                Self::Absent => return vec![Probe::new(None, self.expect(0))],
            };
            let tokens = mint(size, |issuer, i| {
                let token = issuer.token().account(first + i as u64).company(COMPANY);
                let token = token.expires_in(lifetime);
                match self {
                    Self::Key2 => token.signed_by(TestKey::Two),
                    Self::Key3 => token.signed_by(TestKey::Three),
                    Self::Untrusted => token.untrusted_key(),
                    Self::Expired => token.expired(),
                    Self::Forged => token.bad_signature(),
                    Self::Malformed => token.malformed(),
                    Self::Shared | Self::Absent => token,
                }
                .sign()
            });
            (first..)
                .zip(&tokens)
                .map(|(account, t)| Probe::new(Some(t), self.expect(account)))
                .collect()
        }

        /// The answer its request must get while the key that signed it is loaded.
        fn expect(self, account: u64) -> Expect {
            match self {
                Self::Shared | Self::Key2 | Self::Key3 => Expect::subject(account),
                Self::Untrusted | Self::Forged => Expect::Refused(Some("invalid_signature")),
                Self::Expired => Expect::Refused(Some("expired")),
                Self::Malformed => Expect::Refused(Some("malformed")),
                Self::Absent => Expect::Refused(None),
            }
        }
    }

    /// The mix, in parts of 100.
    const MIX: [(Kind, u32); 8] = [
        (Kind::Shared, 40),
        (Kind::Key2, 10),
        (Kind::Key3, 10),
        (Kind::Untrusted, 5),
        (Kind::Expired, 10),
        (Kind::Forged, 10),
        (Kind::Malformed, 10),
        (Kind::Absent, 5),
    ];

    /// The two key files, alternated: A at even generations (the start), B at odd ones.
    fn key_file(generation: u64) -> String {
        let second = if generation.is_multiple_of(2) {
            TestKey::Two
        } else {
            TestKey::Three
        };
        format!("{}{}", TestKey::One.public_pem(), second.public_pem())
    }

    /// Whether key `kind`'s set is the one of `generation`.
    fn in_force(kind: Kind, generation: u64) -> bool {
        match kind {
            Kind::Key2 => generation.is_multiple_of(2),
            Kind::Key3 => !generation.is_multiple_of(2),
            _ => false,
        }
    }

    /// Reload counts: `started` before each reload, `completed` after it, so that a request
    /// sent after `completed` read `c` and answered before `started` read `s` was verified
    /// with the keys of a generation in `c..=s`.
    #[derive(Default)]
    struct Swaps {
        started: AtomicU64,
        completed: AtomicU64,
    }

    #[derive(Default, Clone)]
    struct Counts {
        sent: u64,
        passed: u64,
        refused: u64,
        wrong: u64,
        failed: u64,
        /// Sent before a swap and answered after it: either key set's verdict was right.
        overlapped: u64,
    }

    impl Counts {
        fn add(&mut self, other: &Self) {
            self.sent += other.sent;
            self.passed += other.passed;
            self.refused += other.refused;
            self.wrong += other.wrong;
            self.failed += other.failed;
            self.overlapped += other.overlapped;
        }
    }

    struct Sample {
        second: u64,
        requests: u64,
        rss_kib: u64,
        fds: usize,
    }

    pub(super) fn run(args: &Args, duration: Duration) -> Result<bool, BoxError> {
        let started = Instant::now();
        let lifetime = duration + Duration::from_secs(3600);
        eprintln!("minting tokens…");
        let pools: Vec<(Kind, Vec<Probe>)> = MIX
            .iter()
            .zip(1..)
            .map(|(&(kind, _), n)| (kind, kind.pool(n * 1_000_000, lifetime)))
            .collect();
        let pools: Arc<[(Kind, Vec<Probe>)]> = pools.into();

        let dir = std::env::temp_dir().join(format!("facilioo-jwt-load-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        // Removed however the soak ends: done, an error, or Ctrl-C.
        let _cleanup = RemoveOnDrop(dir.clone());
        let path = dir.join("keys.pem");
        write_keys(&dir, &path, 0)?;
        let issuer = TestIssuer::new();
        let keys = KeySet::from_file(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let live = LiveVerifier::new(Verifier::new(keys, issuer.policy()).with_cache(CACHE));
        let server_threads = args.server_threads.map_or_else(cores, usize::from);
        let server = Server::start(
            server_threads,
            router(
                BearerAuth::live(live.clone()),
                Arc::new(JwtTwin::new(&issuer)?),
            ),
        )?;
        let client = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(usize::from(args.client_threads))
            .thread_name(CLIENT_THREAD)
            .enable_all()
            .build()?;

        let swaps = Arc::new(Swaps::default());
        let requests = Arc::new(AtomicU64::new(0));
        let soak_started = Instant::now();
        let deadline = soak_started + duration;
        // Ctrl-C ends the soak early, and what ran is reported and judged.
        let stop = Arc::new(AtomicBool::new(false));
        let running = {
            let stop = Arc::clone(&stop);
            move || Instant::now() < deadline && !stop.load(Ordering::Relaxed)
        };
        client.spawn({
            let stop = Arc::clone(&stop);
            async move {
                if tokio::signal::ctrl_c().await.is_ok() {
                    eprintln!("load: interrupted; ending the soak and reporting what ran");
                    stop.store(true, Ordering::Relaxed);
                }
            }
        });
        eprintln!(
            "soak: {} s, {} connections, key file {} reloaded every second (keys 1+2, then 1+3, …)",
            duration.as_secs(),
            args.concurrency,
            path.display()
        );
        // The reloader: a new key file every second, and the process's memory and descriptors
        // read after each reload.
        let reloader = {
            let (live, swaps, requests, path, dir, running) = (
                live.clone(),
                Arc::clone(&swaps),
                Arc::clone(&requests),
                path.clone(),
                dir.clone(),
                running.clone(),
            );
            std::thread::Builder::new().name("load-reloader".into()).spawn(move || {
                let mut samples = Vec::new();
                let mut reload_errors = 0u64;
                let begin = Instant::now();
                let mut reloads = 0;
                while running() {
                    std::thread::sleep(
                        Duration::from_secs(1).min(deadline.saturating_duration_since(Instant::now())),
                    );
                    if !running() {
                        break;
                    }
                    // The next generation's file; a file not written is tried again next second.
                    let generation = swaps.completed.load(Ordering::SeqCst) + 1;
                    let outcome = match write_keys(&dir, &path, generation) {
                        Err(e) => Err(format!("writing {}: {e}", path.display())),
                        Ok(()) => {
                            swaps.started.fetch_add(1, Ordering::SeqCst);
                            let reload = live.reload_keys(&path);
                            swaps.completed.fetch_add(1, Ordering::SeqCst);
                            reloads += 1;
                            match reload {
                                Ok(r) if r.changed() => Ok(()),
                                Ok(_) => Err("the keys in use did not change".to_owned()),
                                Err(e) => Err(format!("{}: {e}", path.display())),
                            }
                        }
                    };
                    if let Err(why) = outcome {
                        reload_errors += 1;
                        eprintln!("load: reload {generation}: {why}");
                    }
                    if let Some((rss_kib, fds)) = memory_and_fds() {
                        let second = begin.elapsed().as_secs();
                        let done = requests.load(Ordering::Relaxed);
                        if second.is_multiple_of(30) {
                            eprintln!("{second:>6} s  {done:>12} requests  RSS {:.1} MiB  {fds} fds  {reloads} reloads", rss_kib as f64 / 1024.0);
                        }
                        samples.push(Sample { second, requests: done, rss_kib, fds });
                    }
                }
                (samples, reloads, reload_errors)
            })?
        };

        let tallies = client.block_on(async {
            let mut tasks = tokio::task::JoinSet::new();
            for seed in 0..u64::from(args.concurrency) {
                let (pools, swaps, requests, addr, running) = (
                    Arc::clone(&pools),
                    Arc::clone(&swaps),
                    Arc::clone(&requests),
                    server.addr,
                    running.clone(),
                );
                tasks.spawn(async move {
                    let mut counts: BTreeMap<Kind, Counts> = BTreeMap::new();
                    let mut wrong = Vec::new();
                    let mut rng =
                        Rng(0x9E37_79B9_7F4A_7C15 ^ (seed + 1).wrapping_mul(0xD1B5_4A32_D192_ED03));
                    let mut lost = 0u64;
                    let mut connection = connect(addr).await.ok();
                    while running() {
                        let Some(conn) = connection.as_mut() else {
                            lost += 1; // no connection: counted as a failed request
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            connection = connect(addr).await.ok();
                            continue;
                        };
                        let (kind, probes) = pick(&pools, &mut rng);
                        let probe = &probes[rng.below(probes.len())];
                        let first = swaps.completed.load(Ordering::SeqCst);
                        let answer = exchange(conn, "/me", probe).await;
                        let last = swaps.started.load(Ordering::SeqCst);
                        requests.fetch_add(1, Ordering::Relaxed);
                        let count = counts.entry(kind).or_default();
                        count.sent += 1;
                        let Some((status, challenged, body)) = answer else {
                            count.failed += 1;
                            connection = None;
                            continue;
                        };
                        if status == StatusCode::OK {
                            count.passed += 1;
                        } else {
                            count.refused += 1;
                        }
                        if last > first {
                            count.overlapped += 1;
                        }
                        let right = judge(kind, probe, status, challenged, &body, first..=last);
                        if !right {
                            count.wrong += 1;
                            if wrong.len() < 10 {
                                wrong.push(format!(
                                    "{}: {} {} with key set generation {first}..={last}",
                                    kind.name(),
                                    status.as_u16(),
                                    reason_of(&body).unwrap_or("(no reason)"),
                                ));
                            }
                        }
                    }
                    (counts, wrong, lost)
                });
            }
            let mut counts: BTreeMap<Kind, Counts> = BTreeMap::new();
            let mut wrong = Vec::new();
            let mut lost_tasks = 0;
            let mut lost_connections = 0;
            while let Some(joined) = tasks.join_next().await {
                let Ok((c, w, lost)) = joined else {
                    lost_tasks += 1;
                    continue;
                };
                lost_connections += lost;
                for (kind, c) in c {
                    counts.entry(kind).or_default().add(&c);
                }
                wrong.extend(w);
            }
            (counts, wrong, lost_tasks, lost_connections)
        });
        let (counts, wrong, lost_tasks, lost_connections) = tallies;
        let (samples, reloads, reload_errors) =
            reloader.join().map_err(|_| "the reloader panicked")?;
        client.shutdown_background();
        server.runtime.shutdown_background();
        let ran = soak_started.elapsed();
        let interrupted = stop.load(Ordering::Relaxed);
        let elapsed = started.elapsed().as_secs_f64();
        let total: u64 = counts.values().map(|c| c.sent).sum();
        let wrong_total: u64 = counts.values().map(|c| c.wrong).sum();
        let failed_total: u64 = counts.values().map(|c| c.failed).sum::<u64>() + lost_connections;
        let shared_failed = counts.get(&Kind::Shared).map_or(0, |c| c.failed + c.wrong);
        let panics = PANICS.load(Ordering::Relaxed);

        println!(
            "soak: {} s, {total} requests ({:.0}/s), {reloads} reloads ({reload_errors} failed), {} connections; {BACKEND}, {}",
            ran.as_secs(),
            total as f64 / ran.as_secs_f64(),
            args.concurrency,
            profile()
        );
        println!(
            "{:<30} {:>10} {:>10} {:>10} {:>7} {:>7} {:>11}",
            "requests", "sent", "passed", "refused", "wrong", "failed", "over a swap"
        );
        for (kind, c) in &counts {
            println!(
                "{:<30} {:>10} {:>10} {:>10} {:>7} {:>7} {:>11}",
                kind.name(),
                c.sent,
                c.passed,
                c.refused,
                c.wrong,
                c.failed,
                c.overlapped
            );
        }
        for w in &wrong {
            println!("wrong: {w}");
        }
        // Memory and descriptors after warm-up (a fifth of the run, at most a minute).
        let warm = (ran.as_secs() / 5).min(60);
        let after: Vec<&Sample> = samples.iter().filter(|s| s.second >= warm).collect();
        let judged = ran.as_secs() >= 60 && after.len() >= 8;
        let (rss_growth, fds_flat, memory_line) = if judged {
            let growth = memory_growth(&after);
            let mib = |kib: u64| kib as f64 / 1024.0;
            let (min_rss, max_rss) = (
                after.iter().map(|s| s.rss_kib).min().unwrap_or(0),
                after.iter().map(|s| s.rss_kib).max().unwrap_or(0),
            );
            let (min_fds, max_fds) = (
                after.iter().map(|s| s.fds).min().unwrap_or(0),
                after.iter().map(|s| s.fds).max().unwrap_or(0),
            );
            let line = format!(
                "resident memory after warm-up ({warm} s): {:.1} to {:.1} MiB, the last quarter's mean {:+.2} % against the first quarter's; open descriptors {min_fds}..={max_fds}",
                mib(min_rss),
                mib(max_rss),
                growth * 100.0,
            );
            (Some(growth), Some(min_fds == max_fds), line)
        } else {
            (
                None,
                None,
                "memory and descriptors not judged: runs of a minute or more only".to_owned(),
            )
        };
        println!("{memory_line}");
        // `None`: not judged (memory and descriptors, in a run shorter than a minute).
        let checks = [
            ("every verdict right", Some(wrong_total == 0)),
            (
                "no failed request for the shared key",
                Some(shared_failed == 0),
            ),
            (
                "no failed request at all",
                Some(failed_total == 0 && lost_tasks == 0),
            ),
            ("no panic", Some(panics == 0)),
            ("every reload swapped the keys", Some(reload_errors == 0)),
            (
                "resident memory grew < 5 % after warm-up (last quarter against first)",
                rss_growth.map(|g| g < 0.05),
            ),
            ("file descriptors flat after warm-up", fds_flat),
        ];
        let passed = checks.iter().all(|(_, ok)| ok.unwrap_or(true));
        for (name, ok) in checks {
            let verdict = match ok {
                Some(true) => "ok  ",
                Some(false) => "FAIL",
                None => "n/a ",
            };
            println!("{verdict} {name}");
        }
        let long_enough = ran.as_secs() >= 300 && total >= 1_000_000;
        println!(
            "info {} (docs/performance.md's soak: 330 s, 23 million requests){}",
            if long_enough {
                "at least five minutes and a million requests"
            } else {
                "shorter than five minutes or a million requests"
            },
            if interrupted {
                "; interrupted by Ctrl-C"
            } else {
                ""
            }
        );
        println!("{:.0} s in all", elapsed);

        if let Some(path) = &args.json {
            let kinds: Vec<Value> = counts.iter().map(|(k, c)| json!({
                "requests": k.name(), "sent": c.sent, "passed": c.passed, "refused": c.refused,
                "wrong": c.wrong, "failed": c.failed, "over_a_swap": c.overlapped,
            })).collect();
            let samples: Vec<Value> = samples.iter().filter(|s| s.second.is_multiple_of(10)).map(|s| json!({
                "second": s.second, "requests": s.requests, "rss_kib": s.rss_kib, "fds": s.fds,
            })).collect();
            write_json(
                path,
                &json!({
                    "soak": {
                        "seconds": ran.as_secs(),
                        "interrupted": interrupted,
                        "requests": total,
                        "rps": (total as f64 / ran.as_secs_f64()).round(),
                        "reloads": reloads,
                        "reload_errors": reload_errors,
                        "wrong_verdicts": wrong_total,
                        "failed": failed_total,
                        "shared_key_failed": shared_failed,
                        "panics": panics,
                        "rss_growth_after_warmup_percent": rss_growth.map(|g| (g * 1e4).round() / 100.0),
                        "fds_flat": fds_flat,
                        "passed": passed,
                        "by_request": kinds,
                        "samples": samples,
                    },
                    "backend": BACKEND,
                    "profile": profile(),
                    "machine": machine(),
                    "concurrency": args.concurrency,
                    "server_threads": server_threads,
                    "client_threads": args.client_threads,
                }),
            )?;
        }
        Ok(passed)
    }

    /// Whether `status`, `challenged` and `body` are a right answer to `probe` (of `kind`),
    /// sent while the key set in force was that of a generation in `generations`.
    fn judge(
        kind: Kind,
        probe: &Probe,
        status: StatusCode,
        challenged: bool,
        body: &[u8],
        generations: std::ops::RangeInclusive<u64>,
    ) -> bool {
        match kind {
            Kind::Key2 | Kind::Key3 => {
                let accepted = probe.expect.matches(status, challenged, body);
                let refused =
                    Expect::Refused(Some("invalid_signature")).matches(status, challenged, body);
                let (first, last) = generations.into_inner();
                if last > first {
                    accepted || refused // overlapped a swap: either set's verdict
                } else if in_force(kind, first) {
                    accepted
                } else {
                    refused
                }
            }
            _ => probe.expect.matches(status, challenged, body),
        }
    }

    /// How much resident memory grew over `samples` (taken once a second after warm-up): the
    /// mean of the last quarter against the mean of the first, so that the allocator's
    /// returning and taking back a few hundred KiB between two samples is not counted as
    /// growth, and a leak, which grows steadily, is.
    fn memory_growth(samples: &[&Sample]) -> f64 {
        let quarter = (samples.len() / 4).max(1);
        let mean = |part: &[&Sample]| {
            part.iter().map(|s| s.rss_kib as f64).sum::<f64>() / part.len().max(1) as f64
        };
        let (first, last) = (
            mean(&samples[..quarter]),
            mean(&samples[samples.len() - quarter..]),
        );
        (last - first) / first
    }

    /// A directory removed when this is dropped.
    struct RemoveOnDrop(PathBuf);

    impl Drop for RemoveOnDrop {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    /// Writes the key file of `generation` as operators should: a new file renamed over the
    /// old one, so a reload never reads half a file.
    fn write_keys(dir: &Path, path: &Path, generation: u64) -> std::io::Result<()> {
        let next = dir.join("keys.pem.next");
        std::fs::write(&next, key_file(generation))?;
        std::fs::rename(&next, path)
    }

    fn pick<'a>(pools: &'a [(Kind, Vec<Probe>)], rng: &mut Rng) -> (Kind, &'a [Probe]) {
        let mut roll = rng.below(100) as u32;
        for (kind, weight) in MIX {
            if roll < weight {
                let probes = pools
                    .iter()
                    .find(|(k, _)| *k == kind)
                    .map_or(&[][..], |(_, p)| p);
                return (kind, probes);
            }
            roll -= weight;
        }
        (Kind::Absent, &pools[pools.len() - 1].1)
    }

    /// xorshift64*: enough to mix the requests, no dependency.
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            let x = self.0.wrapping_mul(0x2545_F491_4F6C_DD1D);
            ((u128::from(x) * n as u128) >> 64) as usize
        }
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use std::ops::RangeInclusive;

        const REFUSED: &[u8] = br#"{"error":"invalid_token","error_description":"no key","reason":"invalid_signature"}"#;

        /// A probe expecting `expect` (the header is not looked at).
        fn probe(expect: Expect) -> Probe {
            Probe {
                authorization: None,
                expect,
            }
        }

        /// An answer: its status, whether it challenges, its body.
        type Answer<'a> = (StatusCode, bool, &'a [u8]);

        /// `judge`'s verdict on `answer` to `kind`'s `probe` during `gens`.
        fn right(kind: Kind, probe: &Probe, answer: Answer<'_>, gens: RangeInclusive<u64>) -> bool {
            let (status, challenged, body) = answer;
            judge(kind, probe, status, challenged, body, gens)
        }

        #[test]
        fn a_key_is_judged_by_the_set_in_force() {
            let valid = probe(Expect::subject(5));
            let Expect::Subject(body) = &valid.expect else {
                unreachable!()
            };
            let ok: Answer<'_> = (StatusCode::OK, false, body);
            let refused: Answer<'_> = (StatusCode::UNAUTHORIZED, true, REFUSED);
            let (key2, key3) = (
                |answer, gens| right(Kind::Key2, &valid, answer, gens),
                |answer, gens| right(Kind::Key3, &valid, answer, gens),
            );
            // Generation 0 (and every even one): keys 1 and 2.
            assert!(key2(ok, 4..=4));
            assert!(!key2(refused, 4..=4));
            assert!(!key3(ok, 4..=4));
            assert!(key3(refused, 4..=4));
            // Odd: keys 1 and 3.
            assert!(!key2(ok, 5..=5));
            assert!(key3(ok, 5..=5));
            // Across a swap, either verdict; never another refusal or another subject.
            assert!(key2(ok, 4..=5));
            assert!(key2(refused, 4..=5));
            let expired = br#"{"reason":"expired"}"#;
            assert!(!key2((StatusCode::UNAUTHORIZED, true, expired), 4..=5));
            assert!(!key2((StatusCode::OK, false, b"{\"accountId\":6}"), 4..=5));
            assert!(!key2((StatusCode::UNAUTHORIZED, false, REFUSED), 4..=5));
        }

        #[test]
        fn other_requests_have_one_right_answer_whatever_the_set() {
            let shared = probe(Expect::subject(5));
            let Expect::Subject(body) = &shared.expect else {
                unreachable!()
            };
            let ok: Answer<'_> = (StatusCode::OK, false, body);
            let refused: Answer<'_> = (StatusCode::UNAUTHORIZED, true, REFUSED);
            let untrusted = probe(Expect::Refused(Some("invalid_signature")));
            let absent = probe(Expect::Refused(None));
            for gens in [0..=0, 1..=1, 0..=1] {
                assert!(right(Kind::Shared, &shared, ok, gens.clone()));
                assert!(!right(Kind::Shared, &shared, refused, gens.clone()));
                assert!(right(Kind::Untrusted, &untrusted, refused, gens.clone()));
                assert!(!right(Kind::Untrusted, &untrusted, ok, gens.clone()));
                let bare: Answer<'_> = (StatusCode::UNAUTHORIZED, true, b"");
                assert!(right(Kind::Absent, &absent, bare, gens.clone()));
                assert!(!right(Kind::Absent, &absent, refused, gens));
            }
        }

        #[test]
        fn memory_growth_is_a_trend_not_a_jitter() {
            let samples = |rss: &dyn Fn(u64) -> u64| -> Vec<Sample> {
                (0..100)
                    .map(|second| Sample {
                        second,
                        requests: 0,
                        rss_kib: rss(second),
                        fds: 9,
                    })
                    .collect()
            };
            let growth = |s: &[Sample]| memory_growth(&s.iter().collect::<Vec<_>>());
            // ±3 % between samples, no trend.
            let jitter = samples(&|s| if s % 2 == 0 { 16_000 } else { 16_500 });
            assert!(growth(&jitter).abs() < 0.01, "{}", growth(&jitter));
            // 10 KiB a second on 16 MiB: about 6 % from the first quarter to the last.
            let leak = samples(&|s| 16_000 + 10 * s);
            assert!(growth(&leak) > 0.04, "{}", growth(&leak));
            assert_eq!(growth(&samples(&|_| 16_000)), 0.0);
        }

        #[test]
        fn the_key_files_alternate_and_share_key_1() {
            let (a, b) = (key_file(0), key_file(1));
            assert_eq!(key_file(2), a);
            for file in [&a, &b] {
                assert!(file.starts_with(TestKey::One.public_pem()));
            }
            assert!(
                a.contains(TestKey::Two.public_pem()) && !a.contains(TestKey::Three.public_pem())
            );
            assert!(
                b.contains(TestKey::Three.public_pem()) && !b.contains(TestKey::Two.public_pem())
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_answer_matches_only_its_status_challenge_and_body() {
        let ok = Expect::subject(5);
        assert!(ok.matches(StatusCode::OK, false, br#"{"accountId":5,"companyId":7}"#));
        assert!(!ok.matches(StatusCode::OK, false, br#"{"accountId":6,"companyId":7}"#));
        assert!(!ok.matches(
            StatusCode::CREATED,
            false,
            br#"{"accountId":5,"companyId":7}"#
        ));
        let expired = Expect::Refused(Some("expired"));
        let body =
            br#"{"error":"invalid_token","error_description":"token expired","reason":"expired"}"#;
        assert!(expired.matches(StatusCode::UNAUTHORIZED, true, body));
        assert!(!expired.matches(StatusCode::UNAUTHORIZED, false, body));
        assert!(!expired.matches(StatusCode::BAD_REQUEST, true, body));
        assert!(!expired.matches(StatusCode::UNAUTHORIZED, true, br#"{"reason":"expired_x"}"#));
        let bare = Expect::Refused(None);
        assert!(bare.matches(StatusCode::UNAUTHORIZED, true, b""));
        assert!(!bare.matches(StatusCode::UNAUTHORIZED, true, body));
    }

    #[test]
    fn reasons_are_read_from_the_body() {
        assert_eq!(
            reason_of(br#"{"reason":"malformed","x":1}"#),
            Some("malformed")
        );
        assert_eq!(reason_of(br#"{"reason":"malformed"#), None);
        assert_eq!(reason_of(b""), None);
    }

    #[test]
    fn medians_and_percentiles() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), 2.5);
        assert!(median(&mut []).is_nan());
        let sorted: Vec<u64> = (1..=1000).collect();
        assert_eq!(scenarios::percentile(&sorted, 0.5), 500.0);
        assert_eq!(scenarios::percentile(&sorted, 0.99), 990.0);
        assert_eq!(scenarios::percentile(&sorted, 0.999), 999.0);
        assert_eq!(scenarios::percentile(&[7], 0.999), 7.0);
    }

    #[test]
    fn the_twin_checks_what_the_crate_checks() {
        let issuer = TestIssuer::new();
        let twin = JwtTwin::new(&issuer).expect("the test keys load");
        let now = i64::try_from(
            SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .unwrap()
                .as_secs(),
        )
        .unwrap();
        let token = |b: facilioo_jwt::testing::TokenBuilder| b.sign().into_string();
        let subject = twin.verify(
            &token(
                issuer
                    .token()
                    .account(9)
                    .company(7)
                    .signed_by(TestKey::Three),
            ),
            now,
        );
        assert_eq!(
            subject,
            Some(Subject::new(AccountId(9), Some(CompanyId(7))))
        );
        for refused in [
            issuer.token().expired(),
            issuer.token().not_yet_valid(),
            issuer.token().wrong_issuer(),
            issuer.token().wrong_audience(),
            issuer.token().untrusted_key(),
            issuer.token().bad_signature(),
            issuer.token().other_alg(),
            issuer.token().malformed(),
        ] {
            assert_eq!(twin.verify(&token(refused), now), None);
        }
    }
}
