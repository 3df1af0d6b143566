//! The arguments of a command made from a catalog entry: path parameters as positional arguments,
//! query parameters and the top-level fields of a JSON body as flags, each with the spec's description
//! and rules in its help; `--json-body` for a whole body; `--all`, `--max-items` and `--stream` for a
//! paged list. Each argument's id is an [`ArgKey`], the one spelling the command is declared with and its
//! values are read by. Flags are named by heck's kebab case (`deploymentID` → `--deployment-id`); a
//! name the command already uses (a global flag, or one of these) gets a `--query-`/`--body-` prefix.

use std::collections::BTreeSet;

use clap::{Arg, ArgMatches};
use heck::{ToKebabCase, ToShoutySnakeCase};
use pipecat_cloud::operation::{BodyField, HeaderParam, Operation, PathParam, QueryParam};

use crate::exit::refused;

/// The id of `--json-body`.
pub(crate) const JSON_BODY: &str = "json-body";
/// The id of `--all`.
pub(crate) const ALL: &str = "all";
/// The id of `--max-items`.
pub(crate) const MAX_ITEMS: &str = "max-items";
/// The id of `--stream`.
pub(crate) const STREAM: &str = "stream";

/// Which parameter or field an argument carries: its id, for declaring it and reading it alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ArgKey {
    /// A path parameter, by its spec name.
    Path(&'static str),
    /// A query parameter, by its spec name.
    Query(&'static str),
    /// A top-level body field, by its spec name.
    Field(&'static str),
    /// A header parameter, by its spec name.
    Header(&'static str),
}

impl ArgKey {
    /// The clap id.
    pub(crate) fn id(self) -> String {
        match self {
            ArgKey::Path(name) => format!("path:{name}"),
            ArgKey::Query(name) => format!("query:{name}"),
            ArgKey::Field(name) => format!("body:{name}"),
            ArgKey::Header(name) => format!("header:{name}"),
        }
    }

    /// The value given for it, if any; an id the command does not declare, or a value of another type,
    /// is this tool's defect, reported rather than taken as absent.
    pub(crate) fn text(self, matches: &ArgMatches) -> anyhow::Result<Option<String>> {
        matches
            .try_get_one::<String>(&self.id())
            .map(|value| value.cloned())
            .map_err(|e| anyhow::anyhow!("the argument {} cannot be read: {e}", self.id()))
    }
}

/// The flags a generated command may not take for a parameter or field: the global flags, `help` and
/// `version`, and the generic ones generated commands use themselves.
fn reserved() -> BTreeSet<String> {
    let own = [JSON_BODY, ALL, MAX_ITEMS, STREAM, "help", "version"].map(str::to_string);
    crate::command_tree::global_args().iter().filter_map(|arg| arg.get_long().map(str::to_string)).chain(own).collect()
}

/// The flag of query parameter `param`.
pub(crate) fn query_flag(param: &QueryParam) -> String {
    let long = param.name.to_kebab_case();
    if reserved().contains(&long) { format!("query-{long}") } else { long }
}

/// The flag of header parameter `param` of `operation`: the header's name in kebab case
/// (`X-Request-Tag` → `--x-request-tag`), prefixed `header-` where a reserved flag or a query parameter
/// has it.
pub(crate) fn header_flag(operation: &Operation, param: &HeaderParam) -> String {
    let long = param.name.to_kebab_case();
    let queries: Vec<String> = operation.query_params.iter().map(query_flag).collect();
    if reserved().contains(&long) || queries.contains(&long) { format!("header-{long}") } else { long }
}

/// The flag of body field `field` of `operation`: its kebab-case name, prefixed `body-` where that is
/// taken (by a reserved flag or a query parameter of the same operation).
pub(crate) fn field_flag(operation: &Operation, field: &BodyField) -> String {
    let long = field.name.to_kebab_case();
    let queries: Vec<String> = operation.query_params.iter().map(query_flag).collect();
    if reserved().contains(&long) || queries.contains(&long) { format!("body-{long}") } else { long }
}

fn value_name(name: &str) -> String {
    name.to_shouty_snake_case()
}

/// The arguments of `operation`: its path parameters, its query parameters, paging for a paged list,
/// then its body.
pub(crate) fn arguments(operation: &'static Operation) -> Vec<Arg> {
    let mut args: Vec<Arg> = operation.path_params.iter().map(path_arg).collect();
    args.extend(flags(operation));
    args
}

/// The flags of `operation`: its query parameters, paging for a paged list, then its body.
pub(crate) fn flags(operation: &'static Operation) -> Vec<Arg> {
    let mut args: Vec<Arg> = operation.query_params.iter().map(query_arg).collect();
    args.extend(operation.header_params.iter().map(|param| header_arg(operation, param)));
    if operation.list.is_some() {
        args.extend(paging_args());
    }
    if let Some(body) = &operation.body {
        args.push(Arg::new(JSON_BODY).long(JSON_BODY).value_name("FILE").help(format!(
            "The request body as JSON, from FILE or `-` for stdin{}; field flags override its fields",
            if body.required { " (required unless the field flags give it)" } else { "" }
        )));
        for field in body.fields {
            args.push(body_arg(operation, field));
        }
    }
    args
}

fn path_arg(param: &'static PathParam) -> Arg {
    let mut rules = Vec::new();
    if param.format == Some("uuid") {
        rules.push("a UUID".to_string());
    }
    rules.extend(range_rule(param.min_length, param.max_length, " characters"));
    if let Some(pattern) = param.pattern {
        rules.push(format!("matches {}", pattern.source()));
    }
    if param.sub_path {
        rules.push("may hold `/`".into());
    }
    let mut arg = Arg::new(ArgKey::Path(param.name).id())
        .value_name(value_name(param.name))
        .required(true)
        .help(with_rules(param.description, &rules));
    if !param.allowed.is_empty() {
        arg = arg.value_parser(param.allowed.to_vec());
    }
    arg
}

/// The query parameters that take a point in time as Unix seconds: they also take what people type.
fn is_time(param: &QueryParam) -> bool {
    matches!(param.name, "startTime" | "endTime") && param.kind == "integer"
}

/// A server default as help shows it: `default: 10`, `default: desc` (a JSON string without quotes).
fn default_rule(default: &str) -> String {
    let shown = serde_json::from_str::<String>(default).unwrap_or_else(|_| default.to_string());
    format!("default: {shown}")
}

fn query_arg(param: &'static QueryParam) -> Arg {
    let mut rules: Vec<String> = range_rule(param.minimum, param.maximum, "").into_iter().collect();
    if let Some(default) = param.default {
        rules.push(default_rule(default));
    }
    let description = if is_time(param) {
        format!(
            "{}: a time ago (30s, 10m, 2h, 1d), an RFC 3339 time (2026-12-08T09:30:00Z) or Unix seconds.",
            param.description.trim_end_matches(", in Unix seconds.").trim_end_matches('.')
        )
    } else {
        param.description.to_string()
    };
    let mut arg = Arg::new(ArgKey::Query(param.name).id())
        .long(query_flag(param))
        .value_name(if is_time(param) { "TIME".to_string() } else { value_name(param.name) })
        .required(param.required)
        .help(with_rules(&description, &rules));
    match param.name {
        "startTime" if is_time(param) => arg = arg.visible_alias("since"),
        "endTime" if is_time(param) => arg = arg.visible_alias("until"),
        _ => {}
    }
    if !param.allowed.is_empty() {
        arg = arg.value_parser(param.allowed.to_vec());
    } else if is_time(param) {
        arg = arg.value_parser(crate::times::unix_seconds_parser());
    } else if matches!(param.kind, "integer" | "number") {
        arg = arg.value_parser(number_text(param.kind == "integer", param.minimum, param.maximum));
    } else if param.kind == "boolean" {
        arg = switch(arg);
    }
    arg
}

/// A boolean as a switch: `--flag` is true, `--flag=false` false.
fn switch(arg: Arg) -> Arg {
    arg.num_args(0..=1).require_equals(true).default_missing_value("true").value_parser(["true", "false"])
}

fn header_arg(operation: &Operation, param: &'static HeaderParam) -> Arg {
    let mut rules = vec![format!("sent as the header {}", param.name)];
    rules.extend(range_rule(param.min_length, param.max_length, " characters"));
    if let Some(pattern) = param.pattern {
        rules.push(format!("matches {}", pattern.source()));
    }
    let mut arg = Arg::new(ArgKey::Header(param.name).id())
        .long(header_flag(operation, param))
        .value_name(value_name(param.name))
        .required(param.required)
        .help(with_rules(param.description, &rules));
    if !param.allowed.is_empty() {
        arg = arg.value_parser(param.allowed.to_vec());
    } else if param.kind == "boolean" {
        arg = switch(arg);
    }
    arg
}

/// `3 to 64 characters`, `at least 1`, ...: a lower and an upper bound as help reads them.
fn range_rule<T: std::fmt::Display>(min: Option<T>, max: Option<T>, unit: &str) -> Option<String> {
    match (min, max) {
        (Some(min), Some(max)) => Some(format!("{min} to {max}{unit}")),
        (Some(min), None) => Some(format!("at least {min}{unit}")),
        (None, Some(max)) => Some(format!("at most {max}{unit}")),
        (None, None) => None,
    }
}

/// A parser that keeps a number's text as given but refuses, before anything is sent, text that is not
/// a number of the kind the spec states or lies outside its `minimum`/`maximum`.
fn number_text(integer: bool, minimum: Option<f64>, maximum: Option<f64>) -> clap::builder::ValueParser {
    clap::builder::ValueParser::new(move |text: &str| -> Result<String, String> {
        let value = if integer {
            text.parse::<i64>().map(|v| v as f64).map_err(|_| format!("`{text}` is not a whole number"))?
        } else {
            text.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| format!("`{text}` is not a number"))?
        };
        if let Some(min) = minimum.filter(|min| value < *min) {
            return Err(format!("{text} is below the minimum, {min}"));
        }
        if let Some(max) = maximum.filter(|max| value > *max) {
            return Err(format!("{text} is above the maximum, {max}"));
        }
        Ok(text.to_string())
    })
}

fn body_arg(operation: &Operation, field: &'static BodyField) -> Arg {
    let mut rules = Vec::new();
    match field.kind {
        "object" | "array" => rules.push(format!("{} as JSON", field.kind)),
        "" => rules.push("JSON".into()),
        _ => {}
    }
    if field.required {
        rules.push("required in the body".into());
    }
    let mut arg = Arg::new(ArgKey::Field(field.name).id())
        .long(field_flag(operation, field))
        .value_name(value_name(field.name))
        .help(with_rules(field.description, &rules));
    if field.kind == "boolean" {
        arg = switch(arg);
    } else if !field.allowed.is_empty() {
        arg = arg.value_parser(field.allowed.to_vec());
    }
    arg
}

fn with_rules(description: &str, rules: &[String]) -> String {
    let rules = rules.iter().filter(|r| !r.is_empty()).cloned().collect::<Vec<_>>().join("; ");
    match (description.is_empty(), rules.is_empty()) {
        (true, _) => format!("[{rules}]"),
        (false, true) => description.to_string(),
        (false, false) => format!("{description} [{rules}]"),
    }
}

/// `--all`, `--max-items` and `--stream`, for the commands of paged lists.
fn paging_args() -> Vec<Arg> {
    vec![
        Arg::new(ALL)
            .long(ALL)
            .action(clap::ArgAction::SetTrue)
            .help("Every item, page after page (--limit sets the page size, --offset where to start)"),
        Arg::new(MAX_ITEMS)
            .long(MAX_ITEMS)
            .value_name("N")
            .value_parser(clap::value_parser!(u64))
            .help("Page until N items (implies --all)"),
        Arg::new(STREAM)
            .long(STREAM)
            .action(clap::ArgAction::SetTrue)
            .help("With --all in JSON mode: one item per line (NDJSON) instead of one array"),
    ]
}

/// How a paged list's command was asked to page: `None` without `--all` or `--max-items`.
pub(crate) struct Paging {
    /// `--max-items`.
    pub(crate) max_items: Option<u64>,
    /// `--stream`.
    pub(crate) stream: bool,
}

/// The paging `matches` ask for, for a paged list's command (`None` for any other).
pub(crate) fn paging(operation: &Operation, matches: &ArgMatches) -> anyhow::Result<Option<Paging>> {
    if operation.list.is_none() {
        return Ok(None);
    }
    let flag = |id: &str| matches.try_get_one::<bool>(id).map(|v| v == Some(&true));
    let unreadable = |e: clap::parser::MatchesError| anyhow::anyhow!("the paging flags cannot be read: {e}");
    let all = flag(ALL).map_err(unreadable)?;
    let max_items = matches.try_get_one::<u64>(MAX_ITEMS).map_err(unreadable)?.copied();
    let stream = flag(STREAM).map_err(unreadable)?;
    Ok((all || max_items.is_some()).then_some(Paging { max_items, stream }))
}

/// `--json-body`'s value, for an operation with a body.
pub(crate) fn json_body(matches: &ArgMatches) -> anyhow::Result<Option<String>> {
    matches
        .try_get_one::<String>(JSON_BODY)
        .map(|value| value.cloned())
        .map_err(|e| refused(format!("--json-body cannot be read: {e}")))
}
