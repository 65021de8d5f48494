//! The request limits that are not the schema's own rules ("armor"): tokens before the
//! document is parsed; depth (introspection exempt), aliases, directives and the
//! introspection guard on the parsed document; and the page-size-aware cost after
//! validation. Each refusal is a request error with its own code; the cost refusal carries
//! `extensions.cost { requested, maximum }` like Shopify's, and every executed response
//! carries the same object so clients can see how close they are.
//!
//! The document walk memoises fragments, so a "fragment bomb" (fragments spreading each
//! other many times) costs linear time to check, and counts what it would expand to.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextPrepareRequest,
    NextValidation,
};
use async_graphql::parser::types::{ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Name, Positioned, Response, ServerError, ServerResult, ValidationResult};
use async_graphql::{Value, Variables};

use crate::Limits;

/// The codes of the refusals (all request errors: nothing was executed).
pub mod code {
    pub const MAX_COST_EXCEEDED: &str = "MAX_COST_EXCEEDED";
    pub const MAX_DEPTH_EXCEEDED: &str = "MAX_DEPTH_EXCEEDED";
    pub const MAX_ALIASES_EXCEEDED: &str = "MAX_ALIASES_EXCEEDED";
    pub const MAX_TOKENS_EXCEEDED: &str = "MAX_TOKENS_EXCEEDED";
    pub const MAX_DIRECTIVES_EXCEEDED: &str = "MAX_DIRECTIVES_EXCEEDED";
    pub const INTROSPECTION_TOO_DEEP: &str = "INTROSPECTION_TOO_DEEP";
    pub const INTROSPECTION_DISABLED: &str = "INTROSPECTION_DISABLED";

    /// All of them.
    pub const ALL: &[&str] = &[
        MAX_COST_EXCEEDED,
        MAX_DEPTH_EXCEEDED,
        MAX_ALIASES_EXCEEDED,
        MAX_TOKENS_EXCEEDED,
        MAX_DIRECTIVES_EXCEEDED,
        INTROSPECTION_TOO_DEEP,
        INTROSPECTION_DISABLED,
    ];
}

/// Introspection fields that return lists of types or fields: nesting them is how
/// `__schema { types { fields { type { fields { ... } } } } }` grows without end.
const INTROSPECTION_LISTS: &[&str] = &["fields", "interfaces", "possibleTypes", "inputFields"];

/// Counts the lexical tokens of a GraphQL document (punctuators, names, numbers,
/// strings), stopping once `stop_after` is passed. Whitespace, commas and comments are
/// not tokens. Anything the lexer would refuse counts as one token: the parser reports it.
pub fn count_tokens(src: &str, stop_after: usize) -> usize {
    let b = src.as_bytes();
    let mut i = 0;
    let mut n = 0;
    while i < b.len() && n <= stop_after {
        let c = b[i];
        match c {
            b' ' | b'\t' | b'\n' | b'\r' | b',' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
                    i += 1;
                }
                continue;
            }
            b'"' if b[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < b.len() && !b[i..].starts_with(b"\"\"\"") {
                    i += if b[i..].starts_with(b"\\\"\"\"") {
                        4
                    } else {
                        1
                    };
                }
                i += 3;
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' && b[i] != b'\n' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
            }
            b'.' if b[i..].starts_with(b"...") => i += 3,
            c if c == b'_' || c.is_ascii_alphabetic() => {
                while i < b.len() && (b[i] == b'_' || b[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
            }
            c if c == b'-' || c.is_ascii_digit() => {
                i += 1;
                while i < b.len()
                    && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'.' | b'+' | b'-'))
                {
                    i += 1;
                }
            }
            // The byte-order mark is ignored, like whitespace.
            0xEF if b[i..].starts_with(&[0xEF, 0xBB, 0xBF]) => {
                i += 3;
                continue;
            }
            _ => {
                // One punctuator, or one character the parser will refuse.
                i += src[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
        n += 1;
    }
    n
}

/// What a selection set adds up to, relative to where it is used.
#[derive(Debug, Clone, Copy, Default)]
struct Summary {
    /// Fields nested below (introspection not counted).
    depth: usize,
    aliases: usize,
    directives: usize,
    /// Introspection list fields nested below.
    introspection_lists: usize,
    /// Whether `__schema` or `__type` is asked for.
    introspection: bool,
}

struct Walk<'a> {
    doc: &'a ExecutableDocument,
    memo: HashMap<(&'a str, bool), Summary>,
    on_stack: Vec<&'a str>,
}

impl<'a> Walk<'a> {
    fn selection_set(&mut self, set: &'a Positioned<SelectionSet>, intro: bool) -> Summary {
        let mut s = Summary::default();
        for item in &set.node.items {
            let child = match &item.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    let name = f.name.node.as_str();
                    let inner_intro = intro || name == "__schema" || name == "__type";
                    let below = self.selection_set(&f.selection_set, inner_intro);
                    let is_list = inner_intro && INTROSPECTION_LISTS.contains(&name);
                    Summary {
                        depth: if inner_intro { 0 } else { 1 + below.depth },
                        aliases: below.aliases + usize::from(f.alias.is_some()),
                        directives: below.directives + f.directives.len(),
                        introspection_lists: below.introspection_lists + usize::from(is_list),
                        introspection: inner_intro,
                    }
                }
                Selection::InlineFragment(fr) => {
                    let below = self.selection_set(&fr.node.selection_set, intro);
                    Summary {
                        directives: below.directives + fr.node.directives.len(),
                        ..below
                    }
                }
                Selection::FragmentSpread(sp) => {
                    let below = self.fragment(&sp.node.fragment_name.node, intro);
                    Summary {
                        directives: below.directives + sp.node.directives.len(),
                        ..below
                    }
                }
            };
            s.depth = s.depth.max(child.depth);
            s.introspection_lists = s.introspection_lists.max(child.introspection_lists);
            s.introspection |= child.introspection;
            s.aliases = s.aliases.saturating_add(child.aliases);
            s.directives = s.directives.saturating_add(child.directives);
        }
        s
    }

    fn fragment(&mut self, name: &'a Name, intro: bool) -> Summary {
        let key = (name.as_str(), intro);
        if let Some(s) = self.memo.get(&key) {
            return *s;
        }
        // A cycle, or an unknown fragment: validation reports both.
        let Some(def) = self.doc.fragments.get(name) else {
            return Summary::default();
        };
        if self.on_stack.contains(&name.as_str()) {
            return Summary::default();
        }
        self.on_stack.push(name.as_str());
        let s = self.selection_set(&def.node.selection_set, intro);
        let own = def.node.directives.len();
        self.on_stack.pop();
        let s = Summary {
            directives: s.directives.saturating_add(own),
            ..s
        };
        self.memo.insert(key, s);
        s
    }
}

fn refusal(code: &str, message: String) -> ServerError {
    let mut e = ServerError::new(message, None);
    e.extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    e
}

/// Checks a parsed document against the limits (every operation in it, so a document
/// cannot hide a heavy operation next to the one it names).
pub fn check_document(doc: &ExecutableDocument, limits: &Limits) -> Result<(), ServerError> {
    let mut walk = Walk {
        doc,
        memo: HashMap::new(),
        on_stack: Vec::new(),
    };
    for (_, op) in doc.operations.iter() {
        let mut s = walk.selection_set(&op.node.selection_set, false);
        s.directives = s
            .directives
            .saturating_add(op.node.directives.len())
            .saturating_add(
                op.node
                    .variable_definitions
                    .iter()
                    .map(|v| v.node.directives.len())
                    .sum(),
            );
        if s.introspection && !limits.introspection {
            return Err(refusal(
                code::INTROSPECTION_DISABLED,
                "introspection is off on this server".to_string(),
            ));
        }
        if s.depth > limits.max_depth {
            return Err(refusal(
                code::MAX_DEPTH_EXCEEDED,
                format!(
                    "the query is nested {} levels deep; the limit is {}",
                    s.depth, limits.max_depth
                ),
            ));
        }
        if s.aliases > limits.max_aliases {
            return Err(refusal(
                code::MAX_ALIASES_EXCEEDED,
                format!(
                    "the query uses {} aliases; the limit is {}",
                    s.aliases, limits.max_aliases
                ),
            ));
        }
        if s.directives > limits.max_directives {
            return Err(refusal(
                code::MAX_DIRECTIVES_EXCEEDED,
                format!(
                    "the query uses {} directives; the limit is {}",
                    s.directives, limits.max_directives
                ),
            ));
        }
        if s.introspection_lists > limits.max_introspection_lists {
            return Err(refusal(
                code::INTROSPECTION_TOO_DEEP,
                format!(
                    "the introspection query nests fields/interfaces/possibleTypes/inputFields {} deep; the limit is {}",
                    s.introspection_lists, limits.max_introspection_lists
                ),
            ));
        }
    }
    Ok(())
}

/// The cost object of `extensions.cost`.
pub fn cost_value(requested: usize, maximum: usize) -> Value {
    let mut m = async_graphql::indexmap::IndexMap::new();
    m.insert(Name::new("requested"), Value::from(requested as u64));
    m.insert(Name::new("maximum"), Value::from(maximum as u64));
    Value::Object(m)
}

/// Documents longer than this are validated every time (they would crowd the cache).
pub const MAX_REMEMBERED_DOCUMENT_BYTES: usize = 8 * 1024;

/// Successful validations of documents, by operation name and text.
///
/// async-graphql's validation depends on the variables only where an argument is given a
/// variable (`ArgumentsOfCorrectType` checks the value) and in its complexity, which this
/// crate does not use (`crate::cost` prices every request from its variables). So:
/// - a document that declares no variables is validated once: a repeated query (the
///   common case: a frontend sends the same documents over and over) skips async-graphql's
///   two validation passes and runs on the vetted schema ([`crate::build_vetted`]);
/// - a document with variables is validated every time, but once it has passed it runs on
///   the checked schema ([`crate::build_checked`]), which validates in full like the
///   armored one, without the extension.
///
/// The limits that are not validation (tokens, depth, aliases, directives,
/// introspection) depend only on the text, so a remembered document has passed them; the
/// cost is checked on every request.
pub type ValidatedDocuments = crate::cache::SharedLru<String, ValidationResult>;

/// Whether the operations of `doc` declare variables.
fn declares_variables(doc: &ExecutableDocument) -> bool {
    doc.operations
        .iter()
        .any(|(_, op)| !op.node.variable_definitions.is_empty())
}

/// The cache key of a document, if it may be remembered.
fn validation_key(query: &str, operation_name: Option<&str>) -> Option<String> {
    (query.len() <= MAX_REMEMBERED_DOCUMENT_BYTES).then(|| {
        let name = operation_name.unwrap_or("");
        let mut key = String::with_capacity(name.len() + 1 + query.len());
        key.push_str(name);
        key.push('\n');
        key.push_str(query);
        key
    })
}

/// How a document the armored schema validated before may run without the extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Vetted {
    /// No variables: on the vetted schema, not validated again. Its cost.
    Fast(usize),
    /// With variables: on the checked schema, validated again with this request's
    /// variables. Its cost with them.
    Checked(usize),
}

impl Vetted {
    pub fn cost(self) -> usize {
        match self {
            Vetted::Fast(c) | Vetted::Checked(c) => c,
        }
    }
}

/// How a document may run without the extension, if the armored schema validated it before
/// and its cost with these `variables` is within `max_cost` (see [`ValidatedDocuments`]).
/// `None` runs it on the armored schema, which refuses what must be refused.
pub fn vetted(
    validated: &ValidatedDocuments,
    query: &str,
    operation_name: Option<&str>,
    doc: &ExecutableDocument,
    variables: &Variables,
    max_cost: usize,
) -> Option<Vetted> {
    if validated.is_off() {
        return None;
    }
    let key = validation_key(query, operation_name)?;
    let remembered = validated.get::<str>(&key)?;
    let vetted = if declares_variables(doc) {
        Vetted::Checked(crate::cost::cost(doc, operation_name, variables))
    } else {
        Vetted::Fast(remembered.complexity)
    };
    (vetted.cost() <= max_cost).then_some(vetted)
}

/// The extension applying the limits.
pub struct Armor {
    limits: Arc<Limits>,
    validated: ValidatedDocuments,
}

impl Armor {
    pub fn new(limits: Limits, validated: ValidatedDocuments) -> Self {
        Self {
            limits: Arc::new(limits),
            validated,
        }
    }
}

impl ExtensionFactory for Armor {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ArmorExtension {
            limits: self.limits.clone(),
            validated: self.validated.clone(),
            state: Mutex::new(RequestState::default()),
        })
    }
}

/// What one request's extension learns along the way.
#[derive(Default)]
struct RequestState {
    operation_name: Option<String>,
    /// The validation cache key, when the document may be remembered.
    key: Option<String>,
    /// Whether the document declares variables (its validation is not reused).
    variables: bool,
    cost: Option<usize>,
}

struct ArmorExtension {
    limits: Arc<Limits>,
    validated: ValidatedDocuments,
    state: Mutex<RequestState>,
}

impl ArmorExtension {
    fn state(&self) -> std::sync::MutexGuard<'_, RequestState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait::async_trait]
impl Extension for ArmorExtension {
    async fn prepare_request(
        &self,
        ctx: &ExtensionContext<'_>,
        request: async_graphql::Request,
        next: NextPrepareRequest<'_>,
    ) -> ServerResult<async_graphql::Request> {
        self.state().operation_name = request.operation_name.clone();
        next.run(ctx, request).await
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<async_graphql::parser::types::ExecutableDocument> {
        let max = self.limits.max_tokens;
        let tokens = count_tokens(query, max);
        if tokens > max {
            return Err(refusal(
                code::MAX_TOKENS_EXCEEDED,
                format!("the query has more than {max} tokens"),
            ));
        }
        let doc = next.run(ctx, query, variables).await?;
        check_document(&doc, &self.limits)?;
        let mut state = self.state();
        // Priced here, where the document and the variables are at hand; checked once
        // validation has passed.
        state.cost = Some(crate::cost::cost(
            &doc,
            state.operation_name.as_deref(),
            variables,
        ));
        if !self.validated.is_off() {
            state.key = validation_key(query, state.operation_name.as_deref());
            state.variables = declares_variables(&doc);
        }
        drop(state);
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let (key, variables, cost) = {
            let mut state = self.state();
            (
                state.key.take(),
                state.variables,
                state.cost.take().unwrap_or(0),
            )
        };
        // A document with variables is validated with each request's values.
        let remembered = key
            .as_deref()
            .filter(|_| !variables)
            .and_then(|k| self.validated.get::<str>(k));
        let result = match remembered {
            Some(r) => r,
            None => {
                let mut r = next.run(ctx).await?;
                // The cost is this crate's model (`crate::cost`), not async-graphql's.
                r.complexity = cost;
                if let Some(k) = key {
                    self.validated.put(k, r);
                }
                r
            }
        };
        let maximum = self.limits.max_cost;
        if result.complexity > maximum {
            let mut e = refusal(
                code::MAX_COST_EXCEEDED,
                format!(
                    "the query costs {} (each page its items plus one statement per parent; see docs/api-limits.md); the maximum is {maximum}",
                    result.complexity
                ),
            );
            e.extensions
                .get_or_insert_with(Default::default)
                .set("cost", cost_value(result.complexity, maximum));
            return Err(vec![e]);
        }
        self.state().cost = Some(result.complexity);
        Ok(result)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let mut resp = next.run(ctx, operation_name).await;
        let cost = self.state().cost;
        if let Some(requested) = cost {
            resp.extensions.insert(
                "cost".to_string(),
                cost_value(requested, self.limits.max_cost),
            );
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_counted_like_the_lexer() {
        assert_eq!(count_tokens("{ a }", 100), 3);
        assert_eq!(
            count_tokens("query Q($x: Int = -1.5e3) { a(x: $x) }", 100),
            19
        );
        assert_eq!(count_tokens("# comment only\n, , ,", 100), 0);
        assert_eq!(
            count_tokens(r#"{ a(s: "x \" y", b: """bl "" ock""") }"#, 100),
            11
        );
        assert_eq!(count_tokens("{ ...F } fragment F on Q { a }", 100), 11);
        // Stops early.
        assert_eq!(count_tokens(&"{ a } ".repeat(1000), 10), 11);
    }

    fn limits() -> Limits {
        Limits {
            introspection: true,
            ..Limits::default()
        }
    }

    fn check(q: &str) -> Result<(), String> {
        let doc = async_graphql::parser::parse_query(q).unwrap();
        check_document(&doc, &limits()).map_err(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("code").cloned())
                .map(|c| c.to_string())
                .unwrap_or_default()
        })
    }

    #[test]
    fn depth_aliases_directives_and_introspection_lists() {
        let deep = format!("{}{}", "{ a ".repeat(13), "}".repeat(13));
        assert_eq!(check(&deep).unwrap_err(), "\"MAX_DEPTH_EXCEEDED\"");
        let ok = format!("{}{}", "{ a ".repeat(12), "}".repeat(12));
        assert!(check(&ok).is_ok());
        // Introspection is not counted in the depth ...
        let intro = format!("{{ __schema {}{} }}", "{ a ".repeat(20), "}".repeat(20));
        assert!(check(&intro).is_ok());
        // ... but its list nesting is.
        assert_eq!(
            check(
                "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }"
            )
            .unwrap_err(),
            "\"INTROSPECTION_TOO_DEEP\""
        );
        assert!(check("{ __type(name: \"X\") { fields { type { fields { name } } } } }").is_ok());
        // Off: refused by name, not answered with a silent null.
        let doc = async_graphql::parser::parse_query("{ __type(name: \"X\") { name } }").unwrap();
        let off = check_document(&doc, &Limits::default()).unwrap_err();
        assert_eq!(off.message, "introspection is off on this server");
        let aliases: String = (0..16).map(|i| format!("a{i}: a ")).collect();
        assert_eq!(
            check(&format!("{{ {aliases} }}")).unwrap_err(),
            "\"MAX_ALIASES_EXCEEDED\""
        );
        let directives = "@include(if: true) ".repeat(51);
        assert_eq!(
            check(&format!("{{ a {directives} }}")).unwrap_err(),
            "\"MAX_DIRECTIVES_EXCEEDED\""
        );
    }

    #[test]
    fn fragment_bombs_are_counted_expanded_in_linear_time() {
        // F0 spreads F1 twice, F1 spreads F2 twice, ...: 2^40 aliases once expanded.
        let mut q = String::from("{ ...F0 }\n");
        for i in 0..40 {
            q.push_str(&format!(
                "fragment F{i} on Q {{ ...F{} ...F{} }}\n",
                i + 1,
                i + 1
            ));
        }
        q.push_str("fragment F40 on Q { x: a }\n");
        assert_eq!(check(&q).unwrap_err(), "\"MAX_ALIASES_EXCEEDED\"");
        // A cycle does not hang the walk (validation reports it).
        assert!(check("{ ...A } fragment A on Q { ...B } fragment B on Q { ...A }").is_ok());
    }
}
