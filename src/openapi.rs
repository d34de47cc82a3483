//! OpenAPI with [utoipa](https://docs.rs/utoipa) 6 (feature `utoipa`): the bearer (JWT)
//! security scheme facilioo tokens are, and the 400/401/403 answers of every operation it
//! protects, with their `WWW-Authenticate` header and body.
//!
//! Add [`FaciliooSecurity`] to a document's modifiers (through a `const`, as below); an operation is protected when its
//! `security` names the scheme ([`SCHEME`], `"facilioo"`), or, with
//! [`everywhere`](FaciliooSecurity::everywhere), when it declares no `security` of its own
//! (`security(())` leaves an operation public).
//!
//! ```
//! use utoipa::OpenApi;
//! use facilioo_jwt::openapi::FaciliooSecurity;
//!
//! /// The caller's account.
//! #[utoipa::path(get, path = "/me", responses((status = 200, description = "the account")),
//!     security(("facilioo" = [])))]
//! async fn me() {}
//!
//! #[utoipa::path(get, path = "/health", responses((status = 200, description = "up")))]
//! async fn health() {}
//!
//! const SECURITY: FaciliooSecurity = FaciliooSecurity::new();
//!
//! #[derive(OpenApi)]
//! #[openapi(paths(me, health), modifiers(&SECURITY))]
//! struct Api;
//!
//! let doc = serde_json::to_value(Api::openapi())?;
//! assert_eq!(doc["components"]["securitySchemes"]["facilioo"]["scheme"], "bearer");
//! assert_eq!(doc["components"]["securitySchemes"]["facilioo"]["bearerFormat"], "JWT");
//! let me = &doc["paths"]["/me"]["get"]["responses"];
//! assert!(me["401"]["headers"]["WWW-Authenticate"].is_object());
//! assert!(me["403"].is_object());
//! assert!(doc["paths"]["/health"]["get"]["responses"]["401"].is_null());
//! # Ok::<(), serde_json::Error>(())
//! ```

use serde_json::{Value, json};
use utoipa::Modify;
use utoipa::openapi::path::Operation;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{Components, OpenApi, RefOr, Response, Schema};

/// The security scheme's name in the document, unless [`FaciliooSecurity::named`] says
/// otherwise.
pub const SCHEME: &str = "facilioo";

/// The name of the refusal body's schema in `components.schemas`.
pub const REFUSAL_SCHEMA: &str = "FaciliooRefusal";

/// A utoipa [`Modify`] that declares the bearer (JWT) scheme and documents the refusals of
/// the operations it protects (see the [module](self)).
#[derive(Clone, Debug)]
pub struct FaciliooSecurity {
    name: &'static str,
    everywhere: bool,
    problem_json: bool,
}

impl Default for FaciliooSecurity {
    fn default() -> Self {
        Self::new()
    }
}

impl FaciliooSecurity {
    /// The scheme named [`SCHEME`]; it protects the operations whose `security` names it.
    pub const fn new() -> Self {
        Self {
            name: SCHEME,
            everywhere: false,
            problem_json: false,
        }
    }

    /// The scheme under another name.
    pub const fn named(mut self, name: &'static str) -> Self {
        self.name = name;
        self
    }

    /// Also makes the scheme the document's default `security`, so that every operation
    /// without a `security` of its own is protected (and documented so).
    pub const fn everywhere(mut self) -> Self {
        self.everywhere = true;
        self
    }

    /// Documents the refusal bodies as RFC 9457 `application/problem+json`, for a service
    /// that answers with the problem body (`http::ProblemJson`, feature `http`), instead of
    /// the default JSON body.
    pub const fn problem_json(mut self) -> Self {
        self.problem_json = true;
        self
    }

    /// Whether `operation` is protected by this scheme, and if so whether it also serves a
    /// request without a token (its `security` also holds the empty requirement, as
    /// `security((), ("facilioo" = []))` writes it).
    fn protects(&self, operation: &Operation) -> Option<Anonymous> {
        let Some(requirements) = &operation.security else {
            return self.everywhere.then_some(Anonymous::Refused);
        };
        // A requirement's schemes are private to utoipa; its JSON names them.
        let schemes: Vec<Value> = requirements
            .iter()
            .filter_map(|r| serde_json::to_value(r).ok())
            .collect();
        let names_this = |v: &Value| v.as_object().is_some_and(|o| o.contains_key(self.name));
        let anonymous = |v: &Value| v.as_object().is_some_and(serde_json::Map::is_empty);
        schemes.iter().any(names_this).then(|| {
            if schemes.iter().any(anonymous) {
                Anonymous::Served
            } else {
                Anonymous::Refused
            }
        })
    }

    /// The 400, 401 and 403 answers, by status, of an operation that serves or refuses a
    /// request without a token.
    fn responses(&self, anonymous: Anonymous) -> [(&'static str, Response); 3] {
        let (content_type, body) = if self.problem_json {
            ("application/problem+json", problem_schema())
        } else {
            (
                "application/json",
                json!({ "$ref": format!("#/components/schemas/{REFUSAL_SCHEMA}") }),
            )
        };
        let response = |description: &str, codes: &[&str]| -> Response {
            let text = format!(
                "{description} The `WWW-Authenticate` header carries the RFC 6750 challenge \
                 (error {}).",
                codes.join(" or ")
            );
            from_json(json!({
                "description": text,
                "headers": {
                    "WWW-Authenticate": {
                        "schema": { "type": "string" },
                        "description": "RFC 6750 §3: Bearer realm=\"…\", error=\"…\", error_description=\"…\""
                    }
                },
                "content": { content_type: { "schema": body } }
            }))
            .unwrap_or_default()
        };
        [
            (
                "400",
                response(
                    "The Authorization header is not one bearer token: several headers, \
                     `Bearer` without a token, or a token that is not token68.",
                    &["invalid_request"],
                ),
            ),
            (
                "401",
                response(
                    match anonymous {
                        Anonymous::Refused => {
                            "No valid facilioo access token: none was sent (then the \
                             challenge has no error and there is no body), or it is malformed, \
                             forged, expired, not yet valid, or for another issuer or \
                             audience. An expired token should be refreshed."
                        }
                        Anonymous::Served => {
                            "The token sent is not valid: malformed, forged, expired, not yet \
                             valid, or for another issuer or audience (a request without an \
                             Authorization header is served). An expired token should be \
                             refreshed."
                        }
                    },
                    &["invalid_token"],
                ),
            ),
            (
                "403",
                response(
                    "The token is valid but its party type, company or account may not use \
                     this operation.",
                    &["insufficient_scope"],
                ),
            ),
        ]
    }
}

/// Whether a protected operation serves a request without a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Anonymous {
    Refused,
    Served,
}

/// A utoipa value from its JSON (utoipa's types deserialize from the OpenAPI JSON they
/// stand for, so the document reads as the specification does).
fn from_json<T: serde::de::DeserializeOwned>(value: Value) -> Option<T> {
    serde_json::from_value(value).ok()
}

/// The default refusal body: `{"error", "error_description", "reason"}`.
fn refusal_schema() -> Value {
    json!({
        "type": "object",
        "description": "Why a request was refused (RFC 6750 error, what went wrong, and a stable reason code).",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "string",
                "enum": ["invalid_request", "invalid_token", "insufficient_scope"],
                "description": "The RFC 6750 error code, as in the WWW-Authenticate challenge."
            },
            "error_description": {
                "type": "string",
                "description": "What went wrong, for a human; never token bytes."
            },
            "reason": {
                "type": "string",
                "description": "A stable snake_case code: the verifier's error code (expired, invalid_signature, …) or the HTTP layer's (missing_token, party_type_not_allowed, company_not_allowed, …)."
            }
        }
    })
}

/// The RFC 9457 problem body.
fn problem_schema() -> Value {
    json!({
        "type": "object",
        "description": "RFC 9457 problem details, with the RFC 6750 error and a stable reason code.",
        "properties": {
            "type": { "type": "string" },
            "title": { "type": "string" },
            "status": { "type": "integer" },
            "detail": { "type": "string" },
            "error": { "type": "string", "enum": ["invalid_request", "invalid_token", "insufficient_scope"] },
            "reason": { "type": "string" }
        }
    })
}

impl Modify for FaciliooSecurity {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Components::default);
        components.security_schemes.insert(
            self.name.to_owned(),
            RefOr::T(SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A facilioo access token (RS256 JWT) in `Authorization: Bearer …`.",
                    ))
                    .build(),
            )),
        );
        if !self.problem_json
            && let Some(schema) = from_json::<Schema>(refusal_schema())
        {
            components
                .schemas
                .insert(REFUSAL_SCHEMA.to_owned(), RefOr::T(schema));
        }
        if self.everywhere {
            let requirement = SecurityRequirement::new(self.name, Vec::<String>::new());
            let security = openapi.security.get_or_insert_with(Vec::new);
            if !security
                .iter()
                .any(|r| serde_json::to_value(r).ok() == serde_json::to_value(&requirement).ok())
            {
                security.push(requirement);
            }
        }
        let responses = |anonymous| self.responses(anonymous);
        let (refused, served) = (responses(Anonymous::Refused), responses(Anonymous::Served));
        for item in openapi.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.options,
                &mut item.head,
                &mut item.patch,
                &mut item.trace,
                &mut item.query,
            ]
            .into_iter()
            .filter_map(Option::as_mut)
            .chain(item.additional_operations.values_mut());
            for operation in operations {
                let responses = match self.protects(operation) {
                    None => continue,
                    Some(Anonymous::Refused) => &refused,
                    Some(Anonymous::Served) => &served,
                };
                for (status, response) in responses {
                    // An answer the operation documents itself stays as it is.
                    operation
                        .responses
                        .responses
                        .entry((*status).to_owned())
                        .or_insert_with(|| RefOr::T(response.clone()));
                }
            }
        }
    }
}
