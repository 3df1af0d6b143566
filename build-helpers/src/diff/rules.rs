//! Every rule of `cargo spec diff`: its stable id, its level for users of this client, whether the id is
//! oasdiff's (so reports map onto oasdiff's documentation), and what it means.
//!
//! Levels judge the change against what callers of the HTTP API *and* of the generated Rust API see.
//! That API is built of builders: `client.op(path params, required query and header params, required body)`
//! returns a builder whose optional query and header parameters are setters by name and whose optional
//! body is a `.body(..)` setter, then `.send().await`; header parameters are rated as query parameters,
//! their names compared in any case, as HTTP does. (`cargo spec check` refuses cookie parameters, so
//! neither side of a diff has one.) Request structs are `#[non_exhaustive]`, built with
//! `Type::new(required fields)` plus setters for the optional ones; every generated struct and enum is
//! `#[non_exhaustive]`, and response enums also decode values they do not list (`Unknown(String)`). So:
//!
//! - whatever adds a setter or a variant is INFO: a new optional parameter, an optional body, a new optional
//!   request property, a new enum value of a parameter or request property (oasdiff rates these the same);
//! - whatever adds, removes or moves a method argument or a constructor argument is ERR: a new required
//!   parameter, body or request property, and a parameter, body or request property turning required or
//!   optional (oasdiff rates the turn to optional INFO: the HTTP request stays valid, the Rust call does not
//!   compile);
//! - whatever changes a Rust type a caller names or reads is ERR: a type or format change, a query
//!   parameter or a request or response property gaining or losing its `enum` (its argument, setter or
//!   field goes between a string and a generated enum), a response field turning `Option<T>` into `T` or
//!   back, a response enum losing a value (its variant disappears);
//! - path parameters stay `&str` (or `Uuid`) arguments checked at run time, so an `enum` added to one is WARN
//!   (values accepted before are refused before sending) and one dropped is INFO;
//! - the method is the snake_case of the operationId, so an operationId respelled in case or separators
//!   only (`getLogs` → `GetLogs`) is INFO, and a real rename is ERR (oasdiff rates both INFO).
//!
//! A response enum value added is INFO only because response enums are forward compatible
//! (`x-pipecat-open-enum`); without that marker (integer enums, say) the same change is WARN.

use std::fmt;

/// How much a change matters to users of the client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum Level {
    /// Harmless.
    #[serde(rename = "INFO")]
    Info,
    /// May break some callers.
    #[serde(rename = "WARN")]
    Warn,
    /// Breaks callers.
    #[serde(rename = "ERR")]
    Err,
}

impl Level {
    /// Parses `ERR`, `WARN` or `INFO` (any case).
    pub fn parse(text: &str) -> Option<Level> {
        match text.to_ascii_uppercase().as_str() {
            "ERR" | "ERROR" => Some(Level::Err),
            "WARN" | "WARNING" => Some(Level::Warn),
            "INFO" => Some(Level::Info),
            _ => None,
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Level::Err => "ERR",
            Level::Warn => "WARN",
            Level::Info => "INFO",
        })
    }
}

/// One rule.
#[derive(Debug)]
pub struct Rule {
    /// Stable id.
    pub id: &'static str,
    /// Its level.
    pub level: Level,
    /// True exactly when the id is one of oasdiff's check ids (listed in `oasdiff-ids.txt`; a test checks it).
    pub oasdiff: bool,
    /// What the change means for callers.
    pub meaning: &'static str,
}

macro_rules! rules {
    ($( $name:ident = ($id:literal, $level:ident, $oasdiff:literal, $meaning:literal); )*) => {
        $( #[doc = $meaning] pub const $name: &Rule = &Rule { id: $id, level: Level::$level, oasdiff: $oasdiff, meaning: $meaning }; )*
        /// Every rule, in report order.
        pub const ALL: &[&Rule] = &[ $( $name ),* ];
    };
}

rules! {
    PATH_REMOVED = ("api-path-removed-without-deprecation", Err, true, "A path and all its operations are gone; their methods disappear from the client.");
    OPERATION_REMOVED = ("api-removed-without-deprecation", Err, true, "An operation is gone; its method disappears from the client.");
    PATH_ADDED = ("pipecat-api-path-added", Info, false, "A new path; new methods appear.");
    OPERATION_ADDED = ("endpoint-added", Info, true, "A new operation; a new method appears.");
    OPERATION_ID_CHANGED = ("api-operation-id-removed", Err, true, "The operationId changed to another snake_case name: the generated method is renamed and calls to the old name stop compiling (oasdiff rates this INFO).");
    OPERATION_ID_RESPELLED = ("pipecat-operation-id-respelled", Info, false, "The operationId changed in case or separators only: its snake_case method name, and so every call, stays the same.");
    SECURITY_CHANGED = ("pipecat-api-security-updated", Err, false, "The operation now needs another key, or none.");
    SERVER_CHANGED = ("pipecat-operation-base-changed", Err, false, "The operation moved to another base URL (private or public API).");
    SECURITY_SCHEME_REMOVED = ("api-security-component-removed", Err, true, "A security scheme is gone.");
    SECURITY_SCHEME_CHANGED = ("api-security-component-type-changed", Err, true, "A security scheme changed how it authenticates.");
    MAIN_SERVER_CHANGED = ("pipecat-server-changed", Warn, false, "The main server URL changed; clients built with the default host go elsewhere.");
    LIST_PAGING_REMOVED = ("pipecat-list-paging-removed", Err, false, "The operation is no longer a paged list by the spec's shape (its limit, offset, array or total changed): its builder's items(), pages() and paginate() disappear.");
    LIST_PAGING_ADDED = ("pipecat-list-paging-added", Info, false, "The operation became a paged list by the spec's shape: its builder gains items(), pages() and paginate().");
    LIST_PAGING_CHANGED = ("pipecat-list-paging-changed", Warn, false, "A paged list's shape changed (its array, total, item identity or page maximum): walks read, stop and de-duplicate it differently.");
    NEW_REQUIRED_PARAMETER = ("new-required-request-parameter", Err, true, "A new required parameter: existing calls lack it, and the method gains an argument for it.");
    NEW_OPTIONAL_PARAMETER = ("new-optional-request-parameter", Info, true, "A new optional query or header parameter: the builder gains a setter; existing calls compile unchanged.");
    HEADER_PARAMETER_RESPELLED = ("pipecat-header-parameter-respelled", Info, false, "A header parameter's name changed in case only, and its snake_case setter did not: HTTP matches header names in any case, so the same header is sent, by the same setter.");
    HEADER_PARAMETER_SETTER_RENAMED = ("pipecat-header-parameter-setter-renamed", Err, false, "A header parameter's name changed in case only, but its snake_case setter did (`XTag` → `Xtag`: `x_tag` → `xtag`): the same header on the wire, and existing calls stop compiling.");
    PARAMETER_REMOVED = ("request-parameter-removed", Err, true, "A parameter is gone: its method argument or builder setter disappears.");
    PARAMETER_BECAME_REQUIRED = ("request-parameter-became-required", Err, true, "An optional parameter became required: its setter becomes a method argument, so existing calls stop compiling.");
    PARAMETER_BECAME_OPTIONAL = ("request-parameter-became-optional", Err, true, "A required parameter became optional: its method argument becomes a setter, so existing calls stop compiling (oasdiff rates this INFO).");
    PARAMETER_TYPE_CHANGED = ("request-parameter-type-changed", Err, true, "A parameter's type or format changed: its argument's or setter's Rust type changes.");
    PARAMETER_PATTERN_CHANGED = ("request-parameter-pattern-changed", Warn, true, "A parameter's pattern changed: some values may now be refused.");
    PARAMETER_PATTERN_ADDED = ("request-parameter-pattern-added", Warn, true, "A parameter got a pattern: some values may now be refused.");
    PARAMETER_PATTERN_REMOVED = ("request-parameter-pattern-removed", Info, true, "A parameter lost its pattern: more values are accepted.");
    PARAMETER_MAX_LENGTH_DECREASED = ("request-parameter-max-length-decreased", Err, true, "A parameter accepts shorter values only.");
    PARAMETER_MAX_LENGTH_INCREASED = ("request-parameter-max-length-increased", Info, true, "A parameter accepts longer values.");
    PARAMETER_MIN_LENGTH_INCREASED = ("request-parameter-min-length-increased", Err, true, "A parameter needs longer values.");
    PARAMETER_MIN_LENGTH_DECREASED = ("request-parameter-min-length-decreased", Info, true, "A parameter accepts shorter values.");
    PARAMETER_MAX_DECREASED = ("request-parameter-max-decreased", Err, true, "A parameter's maximum went down.");
    PARAMETER_MAX_INCREASED = ("request-parameter-max-increased", Info, true, "A parameter's maximum went up.");
    PARAMETER_MIN_INCREASED = ("request-parameter-min-increased", Err, true, "A parameter's minimum went up.");
    PARAMETER_MIN_DECREASED = ("request-parameter-min-decreased", Info, true, "A parameter's minimum went down.");
    PARAMETER_ENUM_VALUE_REMOVED = ("request-parameter-enum-value-removed", Err, true, "A parameter no longer accepts a value: its enum variant disappears (for a path parameter, the value is refused before sending).");
    PARAMETER_ENUM_VALUE_ADDED = ("request-parameter-enum-value-added", Info, true, "A parameter accepts a new value: its non_exhaustive enum gains a variant; existing calls compile unchanged.");
    PARAMETER_BECAME_ENUM = ("request-parameter-became-enum", Err, true, "A query or header parameter is now restricted to an enum: its argument or setter takes a generated enum instead of a string, so existing calls stop compiling.");
    PARAMETER_ENUM_DROPPED = ("pipecat-request-parameter-enum-removed", Err, false, "A query or header parameter lost its enum: its argument or setter takes a string instead of the generated enum, so existing calls stop compiling.");
    PATH_PARAMETER_BECAME_ENUM = ("pipecat-path-parameter-became-enum", Warn, false, "A path parameter is now restricted to an enum: the argument stays a string, but values accepted before are now refused before sending.");
    PATH_PARAMETER_ENUM_DROPPED = ("pipecat-path-parameter-enum-removed", Info, false, "A path parameter lost its enum: the argument stays a string and more values are accepted.");
    REQUEST_BODY_ADDED_REQUIRED = ("request-body-added-required", Err, true, "The operation now needs a body: its method gains an argument, so existing calls stop compiling.");
    REQUEST_BODY_ADDED_OPTIONAL = ("request-body-added-optional", Info, true, "The operation accepts an optional body: the builder gains a `.body()` setter; existing calls compile unchanged.");
    REQUEST_BODY_REMOVED = ("pipecat-request-body-removed", Err, false, "The operation takes no body any more: its body argument or `.body()` setter disappears.");
    REQUEST_BODY_BECAME_REQUIRED = ("request-body-became-required", Err, true, "The body became required: the `.body()` setter becomes a method argument, so existing calls stop compiling.");
    REQUEST_BODY_BECAME_OPTIONAL = ("request-body-became-optional", Err, true, "The body became optional: the method loses its body argument (it becomes a `.body()` setter), so existing calls stop compiling (oasdiff rates this INFO).");
    REQUEST_MEDIA_TYPE_REMOVED = ("request-body-media-type-removed", Err, true, "The body's media type is no longer accepted.");
    NEW_REQUIRED_REQUEST_PROPERTY = ("new-required-request-property", Err, true, "The body has a new required property: its struct's `new()` gains an argument, so existing code stops compiling.");
    NEW_OPTIONAL_REQUEST_PROPERTY = ("new-optional-request-property", Info, true, "The body has a new optional property: its non_exhaustive struct, built with `new()` and setters, gains a setter; existing code compiles unchanged.");
    REQUEST_PROPERTY_REMOVED = ("request-property-removed", Err, true, "A body property is gone: its constructor argument or setter disappears, and the API ignores or refuses it.");
    REQUEST_PROPERTY_BECAME_REQUIRED = ("request-property-became-required", Err, true, "A body property became required: its setter becomes an argument of the struct's `new()`, so existing code stops compiling.");
    REQUEST_PROPERTY_BECAME_OPTIONAL = ("request-property-became-optional", Err, true, "A body property became optional: the struct's `new()` loses that argument (it becomes a setter), so existing code stops compiling (oasdiff rates this INFO).");
    REQUEST_PROPERTY_TYPE_CHANGED = ("request-property-type-changed", Err, true, "A body property's type or format changed: its field's Rust type changes.");
    REQUEST_PROPERTY_ENUM_VALUE_REMOVED = ("request-property-enum-value-removed", Err, true, "A body property no longer accepts a value: its enum variant disappears.");
    REQUEST_PROPERTY_BECAME_ENUM = ("request-property-became-enum", Err, true, "A body property is now restricted to an enum: its field's Rust type goes from a string (or its scalar) to a generated enum, so code setting it stops compiling.");
    REQUEST_PROPERTY_ENUM_DROPPED = ("pipecat-request-property-enum-removed", Err, false, "A body property lost its enum: its field's Rust type goes from the generated enum to a string (or its scalar), so code setting it stops compiling.");
    REQUEST_PROPERTY_ENUM_VALUE_ADDED = ("request-property-enum-value-added", Info, true, "A body property accepts a new value: its non_exhaustive enum gains a variant; existing code compiles unchanged.");
    PROPERTY_PATTERN_CHANGED = ("request-property-pattern-changed", Warn, true, "A body property's pattern changed: some values may now be refused.");
    PROPERTY_PATTERN_ADDED = ("request-property-pattern-added", Warn, true, "A body property got a pattern: some values may now be refused.");
    PROPERTY_PATTERN_REMOVED = ("request-property-pattern-removed", Info, true, "A body property lost its pattern: more values are accepted.");
    PROPERTY_MAX_LENGTH_DECREASED = ("request-property-max-length-decreased", Err, true, "A body property accepts shorter values only.");
    PROPERTY_MAX_LENGTH_INCREASED = ("request-property-max-length-increased", Info, true, "A body property accepts longer values.");
    PROPERTY_MIN_LENGTH_INCREASED = ("request-property-min-length-increased", Err, true, "A body property needs longer values.");
    PROPERTY_MIN_LENGTH_DECREASED = ("request-property-min-length-decreased", Info, true, "A body property accepts shorter values.");
    PROPERTY_MAX_DECREASED = ("request-property-max-decreased", Err, true, "A body property's maximum went down.");
    PROPERTY_MAX_INCREASED = ("request-property-max-increased", Info, true, "A body property's maximum went up.");
    PROPERTY_MIN_INCREASED = ("request-property-min-increased", Err, true, "A body property's minimum went up.");
    PROPERTY_MIN_DECREASED = ("request-property-min-decreased", Info, true, "A body property's minimum went down.");
    SUCCESS_STATUS_REMOVED = ("response-success-status-removed", Err, true, "A success status is no longer returned.");
    SUCCESS_STATUS_ADDED = ("response-success-status-added", Warn, true, "A new success status: a call may now succeed in a way the client did not know.");
    NON_SUCCESS_STATUS_ADDED = ("response-non-success-status-added", Info, true, "A new documented error status.");
    NON_SUCCESS_STATUS_REMOVED = ("response-non-success-status-removed", Info, true, "An error status is no longer documented.");
    RESPONSE_MEDIA_TYPE_REMOVED = ("response-media-type-removed", Err, true, "A response's media type is gone.");
    RESPONSE_BODY_TYPE_CHANGED = ("response-body-type-changed", Err, true, "A response body's type changed: the method returns another Rust type.");
    RESPONSE_PROPERTY_REMOVED = ("response-optional-property-removed", Err, true, "A response property is gone: its field disappears from the Rust type.");
    RESPONSE_REQUIRED_PROPERTY_REMOVED = ("response-required-property-removed", Err, true, "A required response property is gone.");
    RESPONSE_PROPERTY_BECAME_OPTIONAL = ("response-property-became-optional", Err, true, "A response property may be missing: its field goes from `T` to `Option<T>`, so code reading it stops compiling.");
    RESPONSE_PROPERTY_BECAME_NULLABLE = ("response-property-became-nullable", Err, true, "A response property may be null.");
    RESPONSE_PROPERTY_TYPE_CHANGED = ("response-property-type-changed", Err, true, "A response property's type or format changed: its field's Rust type changes.");
    RESPONSE_PROPERTY_ADDED = ("response-optional-property-added", Info, true, "A new response property: its non_exhaustive struct gains a field; unknown fields were ignored before.");
    RESPONSE_PROPERTY_BECAME_REQUIRED = ("response-property-became-required", Err, true, "A response property is now always present: its field goes from `Option<T>` to `T`, so code reading it as an Option stops compiling (oasdiff rates this INFO).");
    RESPONSE_PROPERTY_BECAME_ENUM = ("pipecat-response-property-became-enum", Err, false, "A response property is now restricted to an enum: its field's Rust type goes from a string (or its scalar) to a generated enum, so code reading it stops compiling.");
    RESPONSE_PROPERTY_ENUM_DROPPED = ("pipecat-response-property-enum-removed", Err, false, "A response property lost its enum: its field's Rust type goes from the generated enum to a string (or its scalar), so code reading or matching it stops compiling.");
    RESPONSE_ENUM_VALUE_ADDED = ("response-property-enum-value-added", Info, true, "A response enum has a new value: harmless here, the enum is forward compatible (oasdiff: WARN).");
    RESPONSE_ENUM_VALUE_ADDED_CLOSED = ("pipecat-response-closed-enum-value-added", Warn, false, "A response enum that is not forward compatible has a new value: decoding it fails.");
    RESPONSE_ENUM_VALUE_REMOVED = ("response-property-enum-value-removed", Err, true, "A response enum lost a value: its variant disappears from the public enum, so code naming it (in a match arm or a comparison) stops compiling.");
    SCHEMA_REMOVED = ("api-schema-removed", Err, true, "A component schema is gone: its Rust type disappears.");
    SCHEMA_ADDED = ("pipecat-schema-added", Info, false, "A new component schema: a new Rust type.");
    ONE_OF_CHANGED = ("pipecat-one-of-changed", Err, false, "The alternatives of a oneOf changed: the Rust enum's variants change.");
}

/// The rules for changes of a value's constraints, for one side (parameters or body properties).
#[derive(Debug)]
pub struct ConstraintRules {
    /// `pattern` changed.
    pub pattern_changed: &'static Rule,
    /// `pattern` added.
    pub pattern_added: &'static Rule,
    /// `pattern` removed.
    pub pattern_removed: &'static Rule,
    /// `maxLength` went down (or appeared).
    pub max_length_decreased: &'static Rule,
    /// `maxLength` went up (or disappeared).
    pub max_length_increased: &'static Rule,
    /// `minLength` went up (or appeared).
    pub min_length_increased: &'static Rule,
    /// `minLength` went down (or disappeared).
    pub min_length_decreased: &'static Rule,
    /// `maximum` went down (or appeared).
    pub max_decreased: &'static Rule,
    /// `maximum` went up (or disappeared).
    pub max_increased: &'static Rule,
    /// `minimum` went up (or appeared).
    pub min_increased: &'static Rule,
    /// `minimum` went down (or disappeared).
    pub min_decreased: &'static Rule,
}

/// Constraint rules of parameters.
pub const PARAMETER_CONSTRAINTS: ConstraintRules = ConstraintRules {
    pattern_changed: PARAMETER_PATTERN_CHANGED,
    pattern_added: PARAMETER_PATTERN_ADDED,
    pattern_removed: PARAMETER_PATTERN_REMOVED,
    max_length_decreased: PARAMETER_MAX_LENGTH_DECREASED,
    max_length_increased: PARAMETER_MAX_LENGTH_INCREASED,
    min_length_increased: PARAMETER_MIN_LENGTH_INCREASED,
    min_length_decreased: PARAMETER_MIN_LENGTH_DECREASED,
    max_decreased: PARAMETER_MAX_DECREASED,
    max_increased: PARAMETER_MAX_INCREASED,
    min_increased: PARAMETER_MIN_INCREASED,
    min_decreased: PARAMETER_MIN_DECREASED,
};

/// Constraint rules of request body properties.
pub const PROPERTY_CONSTRAINTS: ConstraintRules = ConstraintRules {
    pattern_changed: PROPERTY_PATTERN_CHANGED,
    pattern_added: PROPERTY_PATTERN_ADDED,
    pattern_removed: PROPERTY_PATTERN_REMOVED,
    max_length_decreased: PROPERTY_MAX_LENGTH_DECREASED,
    max_length_increased: PROPERTY_MAX_LENGTH_INCREASED,
    min_length_increased: PROPERTY_MIN_LENGTH_INCREASED,
    min_length_decreased: PROPERTY_MIN_LENGTH_DECREASED,
    max_decreased: PROPERTY_MAX_DECREASED,
    max_increased: PROPERTY_MAX_INCREASED,
    min_increased: PROPERTY_MIN_INCREASED,
    min_decreased: PROPERTY_MIN_DECREASED,
};

/// The rule with `id`.
pub fn by_id(id: &str) -> Option<&'static Rule> {
    ALL.iter().copied().find(|r| r.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_are_unique() {
        let mut ids: Vec<&str> = ALL.iter().map(|r| r.id).collect();
        ids.sort_unstable();
        let before = ids.len();
        ids.dedup();
        assert_eq!(before, ids.len());
    }
}
