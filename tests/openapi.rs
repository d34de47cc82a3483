//! Feature `utoipa`: the security scheme and the refusals documented on exactly the
//! operations it protects.
#![cfg(feature = "utoipa")]

use facilioo_jwt::openapi::{FaciliooSecurity, REFUSAL_SCHEMA, SCHEME};
use serde_json::Value;
use utoipa::OpenApi;

#[utoipa::path(get, path = "/me", responses((status = 200, description = "the account")),
    security(("facilioo" = [])))]
#[allow(dead_code)]
async fn me() {}

#[utoipa::path(post, path = "/admin", responses(
    (status = 200, description = "done"),
    (status = 403, description = "only property management companies")))]
#[allow(dead_code)]
async fn admin() {}

#[utoipa::path(get, path = "/health", responses((status = 200, description = "up")), security(()))]
#[allow(dead_code)]
async fn health() {}

#[utoipa::path(get, path = "/hello", responses((status = 200, description = "hi")),
    security((), ("facilioo" = [])))]
#[allow(dead_code)]
async fn hello() {}

#[utoipa::path(get, path = "/other", responses((status = 200, description = "ok")),
    security(("api_key" = [])))]
#[allow(dead_code)]
async fn other() {}

const NAMED_ONLY: FaciliooSecurity = FaciliooSecurity::new();
const EVERYWHERE: FaciliooSecurity = FaciliooSecurity::new().everywhere();
const PROBLEM: FaciliooSecurity = FaciliooSecurity::new().everywhere().problem_json();

#[derive(OpenApi)]
#[openapi(paths(me, admin, health, hello, other), modifiers(&NAMED_ONLY))]
struct NamedOnly;

#[derive(OpenApi)]
#[openapi(paths(me, admin, health, other), modifiers(&EVERYWHERE))]
struct Everywhere;

#[derive(OpenApi)]
#[openapi(paths(me, admin), modifiers(&PROBLEM))]
struct Problem;

fn responses<'a>(doc: &'a Value, path: &str, method: &str) -> &'a Value {
    &doc["paths"][path][method]["responses"]
}

fn documented(doc: &Value, path: &str, method: &str) -> Vec<String> {
    let mut statuses: Vec<String> = responses(doc, path, method)
        .as_object()
        .expect("responses")
        .keys()
        .cloned()
        .collect();
    statuses.sort();
    statuses
}

#[test]
fn only_operations_naming_the_scheme_are_documented_by_default() {
    let doc = serde_json::to_value(NamedOnly::openapi()).expect("JSON");
    let scheme = &doc["components"]["securitySchemes"][SCHEME];
    assert_eq!(scheme["type"], "http");
    assert_eq!(scheme["scheme"], "bearer");
    assert_eq!(scheme["bearerFormat"], "JWT");
    assert_eq!(documented(&doc, "/me", "get"), ["200", "400", "401", "403"]);
    for (path, method) in [("/admin", "post"), ("/health", "get"), ("/other", "get")] {
        assert!(
            responses(&doc, path, method)["401"].is_null(),
            "{path} is not protected"
        );
    }
    assert!(doc["security"].is_null(), "no document-wide security");
    // A route that also serves anonymous calls: a token sent must be good, and its 401 says
    // that a request without one is served.
    assert_eq!(
        documented(&doc, "/hello", "get"),
        ["200", "400", "401", "403"]
    );
    let hello_401 = responses(&doc, "/hello", "get")["401"]["description"]
        .as_str()
        .expect("a description");
    assert!(
        hello_401.contains("without an Authorization header is served"),
        "{hello_401}"
    );
    let me_401 = responses(&doc, "/me", "get")["401"]["description"]
        .as_str()
        .expect("a description");
    assert!(me_401.contains("none was sent"), "{me_401}");
    let unauthorized = &responses(&doc, "/me", "get")["401"];
    assert!(unauthorized["headers"]["WWW-Authenticate"]["schema"].is_object());
    assert_eq!(
        unauthorized["content"]["application/json"]["schema"]["$ref"],
        format!("#/components/schemas/{REFUSAL_SCHEMA}")
    );
    let schema = &doc["components"]["schemas"][REFUSAL_SCHEMA];
    assert_eq!(schema["required"][0], "error");
    for member in ["error", "error_description", "reason"] {
        assert!(schema["properties"][member].is_object(), "{member}");
    }
    assert!(
        responses(&doc, "/me", "get")["400"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("invalid_request"))
    );
    assert!(
        responses(&doc, "/me", "get")["403"]["description"]
            .as_str()
            .is_some_and(|d| d.contains("insufficient_scope"))
    );
}

#[test]
fn everywhere_protects_operations_without_security_of_their_own_and_keeps_their_answers() {
    let doc = serde_json::to_value(Everywhere::openapi()).expect("JSON");
    assert_eq!(doc["security"], serde_json::json!([{ "facilioo": [] }]));
    assert_eq!(
        documented(&doc, "/admin", "post"),
        ["200", "400", "401", "403"]
    );
    assert_eq!(
        responses(&doc, "/admin", "post")["403"]["description"],
        "only property management companies",
        "an answer the operation documents stays"
    );
    assert_eq!(
        documented(&doc, "/health", "get"),
        ["200"],
        "security(()) is public"
    );
    assert_eq!(documented(&doc, "/other", "get"), ["200"], "another scheme");
    assert_eq!(documented(&doc, "/me", "get"), ["200", "400", "401", "403"]);
    // Applied twice, the document says it once.
    let mut twice = Everywhere::openapi();
    utoipa::Modify::modify(&EVERYWHERE, &mut twice);
    let twice = serde_json::to_value(twice).expect("JSON");
    assert_eq!(twice["security"], doc["security"]);
}

#[test]
fn problem_json_documents_the_problem_body() {
    let doc = serde_json::to_value(Problem::openapi()).expect("JSON");
    let content = &responses(&doc, "/me", "get")["401"]["content"];
    assert!(content["application/json"].is_null());
    let schema = &content["application/problem+json"]["schema"];
    for member in ["type", "title", "status", "detail", "error", "reason"] {
        assert!(schema["properties"][member].is_object(), "{member}");
    }
    assert!(doc["components"]["schemas"][REFUSAL_SCHEMA].is_null());
}
