//! Every answer a route can give, in the OpenAPI document: the errors the
//! layers in front of the handlers give (the protocol gate, the device
//! gate, the JSON body, the credentials, the slow-downs) are added here to
//! each operation by what it goes through, so a handler's own list cannot
//! forget them. Each error answer has the `ErrorBody` schema (its `code` an
//! enum); a 429 has the `Retry-After` header.
//! `answers::every_answer_the_service_gives_is_documented` provokes each.

use utoipa::openapi::path::{HttpMethod, Operation};
use utoipa::openapi::{
    ContentBuilder, HeaderBuilder, Ref, RefOr, ResponseBuilder, Type,
    schema::{AdditionalProperties, ObjectBuilder, Schema},
};
use waystation_core::Role;
use waystation_protocol::paths;

/// What a route goes through, and so which errors it can answer.
#[derive(Clone, Copy, Default)]
struct Route {
    /// The protocol gate (`x-waystation-protocol`): 400 when missing or bad, 426 when not spoken.
    protocol: bool,
    /// A JSON body: 400 when unreadable or invalid, 413 when over the limit.
    body: bool,
    /// A device credential: 401 without a valid one.
    device: bool,
    /// An administrator's session: 401 without one, 403 for a user who is not a sync administrator.
    admin: bool,
    /// Slowed down after failures: 429 with `Retry-After`.
    limited: bool,
}

/// A route of the document: its path, its method, what it goes through, and the errors of its own handler.
type Described = (&'static str, HttpMethod, Route, &'static [(u16, &'static str)]);

/// Every route of the document.
fn routes() -> Vec<Described> {
    let device = Route { protocol: true, device: true, ..Route::default() };
    let admin = Route { admin: true, ..Route::default() };
    vec![
        (
            paths::ENROLL,
            HttpMethod::Post,
            Route { protocol: true, body: true, limited: true, ..Route::default() },
            &[(401, "`enrollment_code_invalid`, `enrollment_code_expired` or `enrollment_code_used`")],
        ),
        (
            paths::SIGNIN,
            HttpMethod::Post,
            Route { body: true, limited: true, ..device },
            &[
                (401, "`bad_password`"),
                (
                    403,
                    "`forbidden`: the user belongs to another organization, or this device holds notes the user's role may not read",
                ),
            ],
        ),
        (
            paths::PUSH,
            HttpMethod::Post,
            Route { body: true, ..device },
            &[
                (400, "`bad_request`: an empty batch"),
                (413, "`payload_too_large`: more operations than the service takes in one batch"),
            ],
        ),
        (paths::PULL, HttpMethod::Get, device, &[(400, "`bad_request`: a bad cursor, limit or query parameter")]),
        (
            paths::ADMIN_LOGIN,
            HttpMethod::Post,
            Route { body: true, limited: true, ..Route::default() },
            &[(401, "`bad_password`"), (403, "`forbidden`: the user is not a sync administrator")],
        ),
        (paths::ADMIN_DEVICES, HttpMethod::Get, admin, &[]),
        (
            paths::ADMIN_DEVICE_REVOKE,
            HttpMethod::Post,
            admin,
            &[
                (400, "`bad_request`: the id is not a UUID"),
                (404, "`not_found`: no device with this id in your organization"),
            ],
        ),
        (paths::ADMIN_USERS, HttpMethod::Get, admin, &[]),
        (paths::ADMIN_ORGS, HttpMethod::Get, admin, &[]),
        (paths::ADMIN_CONFLICTS, HttpMethod::Get, admin, &[]),
        (
            paths::ADMIN_SESSION,
            HttpMethod::Post,
            Route { body: true, limited: true, ..Route::default() },
            &[
                (400, "`bad_request`: no user name or no password (`field` says which)"),
                (401, "`bad_password`"),
                (403, "`forbidden`: the user's role may not use the console, or the user was disabled"),
            ],
        ),
        (paths::ADMIN_SESSION, HttpMethod::Get, admin, &[(401, "`session_expired`: the session ended; sign in again")]),
        (paths::ADMIN_LOGOUT, HttpMethod::Post, admin, &[]),
        (paths::ADMIN_OVERVIEW, HttpMethod::Get, admin, &[]),
        (
            paths::ADMIN_DEVICE,
            HttpMethod::Get,
            admin,
            &[
                (400, "`bad_request`: the id is not a UUID"),
                (404, "`not_found`: no device with this id in your organization"),
            ],
        ),
        (paths::ADMIN_CODES, HttpMethod::Get, admin, &[]),
        (paths::ADMIN_CODES, HttpMethod::Post, Route { body: true, ..admin }, &[]),
        (paths::ADMIN_CODE_CANCEL, HttpMethod::Post, admin, &[(404, "`not_found`: no unused code with this id")]),
        (
            paths::ADMIN_USERS,
            HttpMethod::Post,
            Route { body: true, ..admin },
            &[(409, "`already_exists`: a user with this name exists (`field` is `name`)")],
        ),
        (
            paths::ADMIN_USER,
            HttpMethod::Patch,
            Route { body: true, ..admin },
            &[
                (403, "`forbidden`: disabling yourself or changing your own role"),
                (404, "`not_found`: no user with this name in your organization"),
            ],
        ),
        (
            paths::ADMIN_ORGS,
            HttpMethod::Post,
            Route { body: true, ..admin },
            &[(409, "`already_exists`: an organization with this id is known")],
        ),
        (
            paths::ADMIN_CONFLICT_SETTLE,
            HttpMethod::Post,
            Route { body: true, ..admin },
            &[
                (400, "`bad_request`: the case id is not a UUID"),
                (404, "`not_found`: no such open conflict in your organization, or `keep` is not one of its values"),
                (409, "`bad_request`: a removal's conflict, settled on a device"),
            ],
        ),
        (paths::ADMIN_AUDIT, HttpMethod::Get, admin, &[(400, "`bad_request`: a bad limit")]),
    ]
}

/// The error answers of one route: (status, what it means).
fn errors_of(route: Route, own: &[(u16, &str)]) -> Vec<(u16, String)> {
    let mut out: Vec<(u16, String)> = Vec::new();
    let mut add = |status: u16, why: &str| match out.iter_mut().find(|(s, _)| *s == status) {
        Some((_, text)) => {
            text.push_str("; ");
            text.push_str(why);
        }
        None => out.push((status, why.to_owned())),
    };
    // The device gate runs on every `/v1` route.
    add(403, "`device_revoked`: the credential is a revoked device's (it must wipe its data)");
    add(401, "`enrollment_code_expired`: the credential is a device's that never completed its first sign-in in time");
    add(503, "`unavailable`: the database could not be reached; nothing was written");
    if route.protocol {
        add(400, "`bad_request`: the `x-waystation-protocol` header is missing or not a number");
        add(426, "`protocol_too_old` or `protocol_too_new`, with `supported_protocol`");
    }
    if route.body {
        add(
            400,
            "`bad_request`: no body, or a body that is not the JSON this route takes (what is wrong is in `message`)",
        );
        add(413, "`payload_too_large`: the body is over the limit in `limit_bytes`");
    }
    if route.device {
        add(401, "`unauthorized`: no device credential, or one the service does not know");
    }
    if route.admin {
        add(401, "`unauthorized`: no administrator session, or an expired one (`session_expired`)");
        add(403, "`forbidden`: the user's role may not do this (a supervisor reads and settles only)");
        add(403, "`csrf`: a change made with the console's cookie came without `X-CSRF-Token`");
    }
    if route.limited {
        add(429, "`rate_limited`: too many failures; wait `retry_after_secs` (also the `Retry-After` header)");
    }
    for (status, why) in own {
        add(*status, why);
    }
    out.sort_by_key(|(s, _)| *s);
    out
}

fn operation_mut<'a>(item: &'a mut utoipa::openapi::PathItem, method: &HttpMethod) -> Option<&'a mut Operation> {
    match method {
        HttpMethod::Get => item.get.as_mut(),
        HttpMethod::Post => item.post.as_mut(),
        HttpMethod::Put => item.put.as_mut(),
        HttpMethod::Delete => item.delete.as_mut(),
        HttpMethod::Patch => item.patch.as_mut(),
        _ => None,
    }
}

/// Adds every error answer to every route of the document.
pub struct Answers;

impl utoipa::Modify for Answers {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for (path, method, route, own) in routes() {
            let Some(op) = openapi.paths.paths.get_mut(path).and_then(|item| operation_mut(item, &method)) else {
                continue;
            };
            for (status, why) in errors_of(route, own) {
                let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build();
                let mut response = ResponseBuilder::new().description(why).content("application/json", content);
                if status == 429 {
                    let seconds =
                        Schema::Object(ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)).build());
                    response = response.header(
                        "Retry-After",
                        HeaderBuilder::new().schema(seconds).description(Some("seconds to wait")).build(),
                    );
                }
                op.responses.responses.insert(status.to_string(), RefOr::T(response.build()));
            }
        }
    }
}

/// How one answer leads to the next request (OpenAPI links, which
/// Schemathesis's stateful phase follows): a pull page to the next page from
/// its cursor, and the device list to revoking a device of it. Added to the
/// JSON, as utoipa 5.5 writes a link's `operationId` as `operation_id`.
pub fn add_links(doc: &mut serde_json::Value) {
    let links = [
        (paths::PULL, "get", "next page", "pull", "query.after", "$response.body#/next_cursor"),
        (paths::ADMIN_DEVICES, "get", "revoke a listed device", "revoke", "path.id", "$response.body#/0/id"),
    ];
    for (path, method, name, to, parameter, value) in links {
        if let Some(ok) = doc.pointer_mut(&format!("/paths/{}/{method}/responses/200", path.replace('/', "~1")))
            && let Some(ok) = ok.as_object_mut()
        {
            let links = ok.entry("links").or_insert_with(|| serde_json::json!({}));
            links[name] = serde_json::json!({"operationId": to, "parameters": {parameter: value}});
        }
    }
}

/// The (path, method) of every route [`Answers`] describes, for the tests.
pub fn described() -> Vec<(&'static str, &'static str)> {
    routes()
        .into_iter()
        .map(|(p, m, _, _)| {
            (
                p,
                match m {
                    HttpMethod::Post => "post",
                    HttpMethod::Patch => "patch",
                    _ => "get",
                },
            )
        })
        .collect()
}

/// The rules the parsers and handlers enforce on requests, in the schemas,
/// from the same constants (a pattern is core's own `PATTERN`).
pub struct Constraints;

fn object_property<'a>(
    openapi: &'a mut utoipa::openapi::OpenApi,
    schema: &str,
    property: &str,
) -> Option<&'a mut Schema> {
    let components = openapi.components.as_mut()?;
    let RefOr::T(Schema::Object(o)) = components.schemas.get_mut(schema)? else { return None };
    match o.properties.get_mut(property)? {
        RefOr::T(s) => Some(s),
        RefOr::Ref(_) => None,
    }
}

/// Replace a property's schema by `with`.
fn set_property(
    openapi: &mut utoipa::openapi::OpenApi,
    schema: &str,
    property: &str,
    with: utoipa::openapi::schema::Object,
) {
    if let Some(components) = openapi.components.as_mut()
        && let Some(RefOr::T(Schema::Object(o))) = components.schemas.get_mut(schema)
        && let Some(p) = o.properties.get_mut(property)
    {
        *p = RefOr::T(Schema::Object(with));
    }
}

/// Set what `set` says on a string (or array) property; a missing one is a bug the tests see.
fn constrain(openapi: &mut utoipa::openapi::OpenApi, schema: &str, property: &str, set: impl FnOnce(&mut Schema)) {
    if let Some(s) = object_property(openapi, schema, property) {
        set(s);
    }
}

impl utoipa::Modify for Constraints {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let user = |s: &mut Schema| {
            if let Schema::Object(o) = s {
                o.pattern = Some(waystation_core::UserName::PATTERN.to_owned());
            }
        };
        constrain(openapi, "SignInRequest", "user", user);
        constrain(openapi, "AdminLoginRequest", "user", user);
        constrain(openapi, "ConsoleSignIn", "user", user);
        constrain(openapi, "NewUserRequest", "name", user);
        constrain(openapi, "NewOrgRequest", "id", |s| {
            if let Schema::Object(o) = s {
                o.pattern = Some(waystation_core::OrgId::PATTERN.to_owned());
            }
        });
        let role = |s: &mut Schema| {
            if let Schema::Object(o) = s {
                o.enum_values = Some(Role::ALL.iter().map(|r| serde_json::Value::from(r.as_str())).collect());
            }
        };
        constrain(openapi, "NewCodeRequest", "role", role);
        constrain(openapi, "NewUserRequest", "role", role);
        constrain(openapi, "UserChange", "role", role);
        // A new password: a string of at least MIN_PASSWORD_CHARS characters (inline: the shared Password schema has none).
        let min = crate::routes::console::MIN_PASSWORD_CHARS;
        for (schema, nullable) in [("NewUserRequest", false), ("UserChange", true)] {
            set_property(openapi, schema, "password", {
                let kinds = if nullable { vec![Type::String, Type::Null] } else { vec![Type::String] };
                ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::SchemaType::from_iter(kinds))
                    .min_length(Some(min))
                    .description(Some(format!("A new password, at least {min} characters.")))
                    .build()
            });
        }
        constrain(openapi, "EnrollRequest", "device_name", |s| {
            if let Schema::Object(o) = s {
                // Trimmed first: at least one character that is not white space.
                (o.min_length, o.max_length) = (Some(1), Some(100));
                o.pattern = Some(waystation_protocol::NOT_ONLY_SPACE_PATTERN.to_owned());
            }
        });
        constrain(openapi, "EnrollRequest", "app_version", |s| {
            if let Schema::Object(o) = s {
                o.max_length = Some(64);
            }
        });
        constrain(openapi, "EnrollRequest", "request_id", |s| {
            if let Schema::Object(o) = s {
                (o.min_length, o.max_length) = (Some(16), Some(64));
            }
        });
        constrain(openapi, "PushRequest", "ops", |s| {
            if let Schema::Array(a) = s {
                a.min_items = Some(1);
            }
        });
        // Each kind of change refuses unknown fields (`deny_unknown_fields`), as the operation does.
        if let Some(RefOr::T(Schema::OneOf(one))) =
            openapi.components.as_mut().and_then(|c| c.schemas.get_mut("Change"))
        {
            for variant in &mut one.items {
                if let RefOr::T(Schema::Object(o)) = variant {
                    o.additional_properties = Some(Box::new(AdditionalProperties::FreeForm(false)));
                }
            }
        }
        // The clock's integers are Rust's u64 and u32: their whole range, not int64's and int32's.
        for (property, max) in [("wall_ms", u64::MAX), ("counter", u64::from(u32::MAX))] {
            constrain(openapi, "Hlc", property, |s| {
                if let Schema::Object(o) = s {
                    o.format = None;
                    o.maximum = Some(utoipa::Number::UInt(max as usize));
                }
            });
        }
        // The protocol header: the versions this service speaks (another one is a 426).
        for path in [paths::ENROLL, paths::SIGNIN, paths::PUSH, paths::PULL] {
            let Some(item) = openapi.paths.paths.get_mut(path) else { continue };
            for op in [item.get.as_mut(), item.post.as_mut()].into_iter().flatten() {
                for p in op.parameters.iter_mut().flatten().filter(|p| p.name == waystation_protocol::PROTOCOL_HEADER) {
                    p.required = utoipa::openapi::Required::True;
                    p.schema = Some(RefOr::T(Schema::Object(
                        ObjectBuilder::new()
                            .schema_type(Type::Integer)
                            .minimum(Some(waystation_protocol::MIN_PROTOCOL_VERSION))
                            .maximum(Some(waystation_protocol::PROTOCOL_VERSION))
                            .build(),
                    )));
                }
            }
        }
        if let Some(get) = openapi.paths.paths.get_mut(paths::PULL).and_then(|p| p.get.as_mut()) {
            for p in get.parameters.iter_mut().flatten() {
                let schema = match p.name.as_str() {
                    // Any u32 from 1 (more than 1000 is served as 1000).
                    "limit" => ObjectBuilder::new().schema_type(Type::Integer).minimum(Some(1)).maximum(Some(u32::MAX)),
                    "after" => ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(waystation_protocol::PullCursor::PATTERN)),
                    _ => continue,
                };
                p.schema = Some(RefOr::T(Schema::Object(schema.build())));
            }
        }
    }
}
