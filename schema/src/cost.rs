//! The cost of a request (docs/api-limits.md "Cost"): an estimate of the SQL statements it
//! may run plus the page items it may return, computed from the document, the variables
//! and the schema's types before anything runs.
//!
//! - A field of a scalar or enum type costs nothing: it is read from its parent, or through
//!   a loader per batch; the few that run a statement per parent
//!   ([`resolvers::cost::LEAVES_PER_PARENT`]) cost 1 per parent.
//! - A paged field (`first`/`last`) costs, for each parent it is resolved under, one
//!   statement plus the items of its page: `parents x (1 + page size)`; the page size is
//!   the one asked for, else the field's default, capped at its maximum
//!   ([`resolvers::cost::page_size`]). Its items are the parents of what is selected
//!   under them.
//! - A connection's own fields (`edges`, `nodes`, `node`, `pageInfo`) cost nothing: the
//!   page paid for them.
//! - A field resolved per batch ([`resolvers::cost::PER_BATCH`]: by a DataLoader, or from
//!   the page that listed its parent) costs 1 whatever the number of parents; what is
//!   selected under it is still priced per parent, so a page nested under it multiplies.
//! - Any other field returning objects costs 1 per parent.
//! - A list without page arguments multiplies what is selected under it by its length:
//!   the length of its ids argument (`nodes(ids:)`), else [`resolvers::cost::DEFAULT_LIST`]
//!   items.
//!
//! So a page's batched children cost per batch, not per parent: the client lines page
//! with its usual selection costs about its page size (1,008 at `first: 1000`), while a
//! page under a page (`partners(first: 100) { clients(first: 100) }`), which runs a
//! statement per parent, costs their product (10,201).
//!
//! The types come from the checked-in SDL (`schema.graphql`, kept equal to the code by a
//! test), read once.

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
    TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, Value, Variables};

/// A field's type as the cost model needs it.
#[derive(Debug)]
struct FieldType {
    /// The named type under any list and non-null wrappers.
    named: String,
    list: bool,
    /// Whether it takes `first` (a paged field).
    paged: bool,
}

/// The schema's object and interface types with their fields, and the root types.
#[derive(Debug, Default)]
struct Types {
    fields: HashMap<String, HashMap<String, FieldType>>,
    query: String,
    mutation: String,
    subscription: String,
}

static TYPES: LazyLock<Types> =
    LazyLock::new(|| Types::from_sdl(include_str!("../schema.graphql")));

impl Types {
    fn from_sdl(sdl: &str) -> Self {
        let mut types = Types {
            query: "Query".into(),
            mutation: "Mutation".into(),
            subscription: "Subscription".into(),
            ..Default::default()
        };
        // The checked-in SDL, which a test parses: failing here is a build defect, and
        // pricing everything at nothing would be worse than stopping.
        #[allow(clippy::expect_used)]
        let doc = async_graphql::parser::parse_schema(sdl).expect("schema.graphql parses");
        for def in doc.definitions {
            match def {
                TypeSystemDefinition::Schema(s) => {
                    let s = s.node;
                    if let Some(q) = s.query {
                        types.query = q.node.to_string();
                    }
                    if let Some(m) = s.mutation {
                        types.mutation = m.node.to_string();
                    }
                    if let Some(s) = s.subscription {
                        types.subscription = s.node.to_string();
                    }
                }
                TypeSystemDefinition::Type(t) => {
                    let t = t.node;
                    let fields = match t.kind {
                        TypeKind::Object(o) => o.fields,
                        TypeKind::Interface(i) => i.fields,
                        // No fields of its own: what is selected comes through fragments.
                        TypeKind::Union(_) => Vec::new(),
                        _ => continue,
                    };
                    let fields = fields
                        .into_iter()
                        .map(|f| {
                            let f = f.node;
                            let mut ty = &f.ty.node;
                            let mut list = false;
                            let named = loop {
                                match &ty.base {
                                    BaseType::Named(n) => break n.to_string(),
                                    BaseType::List(inner) => {
                                        list = true;
                                        ty = inner;
                                    }
                                }
                            };
                            let paged = f.arguments.iter().any(|a| a.node.name.node == "first");
                            (f.name.node.to_string(), FieldType { named, list, paged })
                        })
                        .collect();
                    types.fields.insert(t.name.node.to_string(), fields);
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        types
    }

    /// Whether values of `named` have fields (an object, interface or union: a union's
    /// come through fragments).
    fn has_fields(&self, named: &str) -> bool {
        self.fields.contains_key(named)
    }
}

/// The cost of the operation `operation_name` (the only one when `None`) of `doc` with
/// `variables`. An operation that is not there, or fields the schema does not have, cost
/// nothing here: validation refuses them.
pub fn cost(
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> usize {
    cost_with(&TYPES, doc, operation_name, variables)
}

fn cost_with(
    types: &Types,
    doc: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> usize {
    let op = match (&doc.operations, operation_name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        (DocumentOperations::Multiple(_), None) => None,
    };
    let Some(op) = op else { return 0 };
    let op = &op.node;
    let mut values: HashMap<Name, Value> = op
        .variable_definitions
        .iter()
        .filter_map(|d| {
            let d = &d.node;
            d.default_value
                .as_ref()
                .map(|v| (d.name.node.clone(), v.node.clone()))
        })
        .collect();
    for (name, value) in variables.iter() {
        values.insert(name.clone(), value.clone());
    }
    let root = match op.ty {
        OperationType::Query => &types.query,
        OperationType::Mutation => &types.mutation,
        OperationType::Subscription => &types.subscription,
    };
    let mut walk = Walk {
        types,
        doc,
        values,
        memo: HashMap::new(),
        visiting: HashSet::new(),
    };
    let total = walk.selection_set(&op.selection_set.node, root, 1, 0);
    usize::try_from(total).unwrap_or(usize::MAX)
}

struct Walk<'a> {
    types: &'a Types,
    doc: &'a ExecutableDocument,
    /// The variables' values, defaults included.
    values: HashMap<Name, Value>,
    /// Fragments already priced, by name, parents and enclosing page size: a fragment
    /// spread many times is walked once per distinct use ("fragment bombs" cost linear
    /// time here).
    memo: HashMap<(Name, u64, u64), u64>,
    /// Fragments being walked (a cycle costs nothing here: validation refuses it).
    visiting: HashSet<Name>,
}

impl Walk<'_> {
    /// The cost of `set` resolved on `parents` values of type `ty`; `page` is the page
    /// size when `ty` is a connection or its edge.
    fn selection_set(&mut self, set: &SelectionSet, ty: &str, parents: u64, page: u64) -> u64 {
        let mut total = 0u64;
        for item in &set.items {
            let c = match &item.node {
                Selection::Field(f) => self.field(&f.node, ty, parents, page),
                Selection::InlineFragment(i) => {
                    let i = &i.node;
                    let on = i
                        .type_condition
                        .as_ref()
                        .map_or(ty, |c| c.node.on.node.as_str());
                    self.selection_set(&i.selection_set.node, on, parents, page)
                }
                Selection::FragmentSpread(s) => {
                    let name = &s.node.fragment_name.node;
                    self.fragment(name, parents, page)
                }
            };
            total = total.saturating_add(c);
        }
        total
    }

    fn fragment(&mut self, name: &Name, parents: u64, page: u64) -> u64 {
        let key = (name.clone(), parents, page);
        if let Some(c) = self.memo.get(&key) {
            return *c;
        }
        let Some(def) = self.doc.fragments.get(name) else {
            return 0;
        };
        if !self.visiting.insert(name.clone()) {
            return 0;
        }
        let def = &def.node;
        let c = self.selection_set(
            &def.selection_set.node,
            def.type_condition.node.on.node.as_str(),
            parents,
            page,
        );
        self.visiting.remove(name);
        self.memo.insert(key, c);
        c
    }

    fn field(
        &mut self,
        f: &async_graphql::parser::types::Field,
        ty: &str,
        parents: u64,
        page: u64,
    ) -> u64 {
        let name = f.name.node.as_str();
        let types = self.types;
        let Some(info) = types.fields.get(ty).and_then(|fields| fields.get(name)) else {
            // `__typename`, introspection (guarded on its own), or a field validation
            // refuses.
            return 0;
        };
        if !types.has_fields(&info.named) {
            return if resolvers::cost::leaf_per_parent(ty, name) {
                parents
            } else {
                0
            };
        }
        let set = &f.selection_set.node;
        let named = info.named.as_str();
        // A connection's and an edge's own fields: paid for by the page.
        if ty.ends_with("Connection") || ty.ends_with("Edge") {
            let items = if info.list {
                parents.saturating_mul(page)
            } else {
                parents
            };
            return self.selection_set(set, named, items, page);
        }
        if info.paged {
            let size = self.page_size(f, ty, name);
            let own = parents.saturating_mul(size.saturating_add(1));
            return own.saturating_add(self.selection_set(set, named, parents, size));
        }
        let own = if resolvers::cost::per_batch(ty, name) {
            1
        } else {
            parents
        };
        // What is selected under a list runs on each of its items.
        let items = if info.list {
            parents.saturating_mul(self.list_length(f, ty, name))
        } else {
            parents
        };
        own.saturating_add(self.selection_set(set, named, items, 0))
    }

    /// How many items the list `f` is priced at: the length of its ids argument when it
    /// has one, else [`resolvers::cost::DEFAULT_LIST`].
    fn list_length(&self, f: &async_graphql::parser::types::Field, ty: &str, name: &str) -> u64 {
        let Some(arg) = resolvers::cost::list_argument(ty, name) else {
            return resolvers::cost::DEFAULT_LIST;
        };
        let max = resolvers::cost::DEFAULT_PAGE.max;
        let value = f.get_argument(arg).and_then(|v| {
            v.node
                .clone()
                .into_const_with(|var| self.values.get(&var).cloned().ok_or(()))
                .ok()
        });
        match value {
            Some(Value::List(items)) => u64::try_from(items.len()).unwrap_or(max).min(max),
            // A single value is a list of one (input coercion).
            Some(Value::Null) => 0,
            Some(_) => 1,
            None => max,
        }
    }

    /// The page `f` asks for: `first` or `last` (the larger when both), else the field's
    /// default, capped at its maximum. A negative size costs nothing here: the resolver
    /// refuses it.
    fn page_size(&self, f: &async_graphql::parser::types::Field, ty: &str, name: &str) -> u64 {
        let size = resolvers::cost::page_size(ty, name);
        let arg = |arg: &str| -> Option<i64> {
            let v = f.get_argument(arg)?.node.clone();
            let v = v
                .into_const_with(|var| self.values.get(&var).cloned().ok_or(()))
                .ok()?;
            match v {
                Value::Number(n) => n.as_i64(),
                _ => None,
            }
        };
        let asked = match (arg("first"), arg("last")) {
            (None, None) => return size.default,
            (first, last) => first.unwrap_or(0).max(last.unwrap_or(0)),
        };
        u64::try_from(asked).unwrap_or(0).min(size.max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn priced(query: &str, vars: serde_json::Value) -> usize {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        cost(&doc, None, &Variables::from_json(vars))
    }

    const LINES_PAGE: &str = "query($p: ID!, $n: Int) { partner(id: $p) { clientCountries clientLines(first: $n) { totalCount edges { node { client { accountNumber displayName email phone } organizations { name } lines { lineNumber name status daysLeft expiresAt comment channelCount channels { status paid kind { code name } } } } } } } }";

    #[test]
    fn the_client_lines_page_costs_its_page_size_and_one_per_batch() {
        // partner 1 + its client countries 1 + page 1 x (1 + n) + client, organizations,
        // lines, channels, kind 1 each.
        assert_eq!(
            priced(LINES_PAGE, serde_json::json!({ "p": "x", "n": 50 })),
            58
        );
        assert_eq!(
            priced(LINES_PAGE, serde_json::json!({ "p": "x", "n": 1000 })),
            1008
        );
        // The default page size counts when none is given; the maximum caps it.
        assert_eq!(priced(LINES_PAGE, serde_json::json!({ "p": "x" })), 58);
        assert_eq!(
            priced(LINES_PAGE, serde_json::json!({ "p": "x", "n": 5000 })),
            1008
        );
    }

    #[test]
    fn pages_under_pages_multiply() {
        let q = "query($n: Int) { partners(first: $n) { edges { node { id clients(first: $n) { edges { node { id } } } } } } }";
        // partners 1 x (1 + 100), then clients under each of the 100: 100 x (1 + 100).
        assert_eq!(priced(q, serde_json::json!({ "n": 100 })), 101 + 10_100);
        assert_eq!(priced(q, serde_json::json!({ "n": 10 })), 11 + 110);
        // Under a batched field, what runs per parent is still priced per parent: the
        // clients' own line pages under "show all".
        let q = "{ partner(id: \"x\") { clientLines(first: 1000) { edges { node { client { lines(first: 100) { edges { node { id } } } } } } } } }";
        assert_eq!(priced(q, serde_json::json!({})), 1 + 1001 + 1 + 1000 * 101);
    }

    #[test]
    fn aliases_and_fragments_count_each_use() {
        let one = priced(
            "{ partner(id: \"x\") { clientLines(first: 1000) { totalCount } } }",
            serde_json::json!({}),
        );
        assert_eq!(one, 1002);
        let q = "{ partner(id: \"x\") { ...P } } fragment P on Partner { a: clientLines(first: 1000) { totalCount } b: clientLines(first: 1000) { totalCount } c: clientLines(first: 1000) { totalCount } }";
        assert_eq!(priced(q, serde_json::json!({})), 1 + 3 * 1001);
        // A connection's own fields are paid for by the page.
        let q = "{ partners(first: 100) { edges { node { id } } nodes { id } } }";
        assert_eq!(priced(q, serde_json::json!({})), 101);
    }

    #[test]
    fn lists_multiply_what_runs_under_their_items() {
        // `nodes(ids:)` loads each id on its own: one per id, and each organization's page.
        let q = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on Organization { lines(first: 100) { nodes { channels { kind { code } } } } } } }";
        let ids: Vec<String> = (0..100).map(|i| format!("id{i}")).collect();
        // nodes: 1 (the root field) ... and 100 pages of 101 under it, plus two batches.
        assert_eq!(
            priced(q, serde_json::json!({ "ids": ids })),
            1 + 100 * 101 + 1 + 1
        );
        assert_eq!(
            priced(q, serde_json::json!({ "ids": ["a", "b"] })),
            1 + 2 * 101 + 1 + 1
        );
        // A client's lines are a list: a page under each line runs per line.
        let q = "{ partner(id: \"x\") { clientLines(first: 40) { nodes { lines { client { lines(first: 100) { totalCount } } } } } } }";
        let lines = 40 * resolvers::cost::DEFAULT_LIST as usize;
        assert_eq!(
            priced(q, serde_json::json!({})),
            1 + 41 + 1 + 1 + lines * 101
        );
        // A union's members are priced through their fragments.
        let q = "{ partner(id: \"x\") { payoutRequisites { __typename ... on SepaRequisites { iban } } } }";
        assert_eq!(priced(q, serde_json::json!({})), 2);
    }

    #[test]
    fn leaves_that_run_a_statement_per_parent_cost_one_per_parent() {
        let q = "{ partners(first: 100) { nodes { a: clientCountries b: clientCountries } } }";
        assert_eq!(priced(q, serde_json::json!({})), 101 + 2 * 100);
        // The viewer's next attempt at each test: a list of 10 (the default) tests.
        let q = "{ certificationTests { nextAttemptAt } }";
        assert_eq!(
            priced(q, serde_json::json!({})),
            1 + resolvers::cost::DEFAULT_LIST as usize
        );
        // Other leaves cost nothing.
        let q = "{ partners(first: 100) { nodes { id __typename } } }";
        assert_eq!(priced(q, serde_json::json!({})), 101);
    }

    #[test]
    fn only_real_connections_and_edges_are_priced_as_paid_for() {
        // Types are taken for a connection or an edge by their names' ends; one that is not
        // (`TelegramConnection`, a chat link) must have nothing but leaves, or its object
        // fields would go unpriced.
        let types = &*TYPES;
        for (name, fields) in &types.fields {
            let real = (fields.contains_key("edges") && fields.contains_key("pageInfo"))
                || (fields.contains_key("node") && fields.contains_key("cursor"));
            if (name.ends_with("Connection") || name.ends_with("Edge")) && !real {
                for (field, ty) in fields {
                    assert!(
                        !types.has_fields(&ty.named),
                        "{name}.{field} would be priced as part of a page"
                    );
                }
            }
        }
    }

    #[test]
    fn every_field_the_model_names_is_in_the_schema() {
        let types = &*TYPES;
        assert!(types.fields.contains_key(&types.query), "{}", types.query);
        for name in resolvers::cost::PER_BATCH
            .iter()
            .copied()
            .chain(resolvers::cost::PAGES.iter().map(|(n, _)| *n))
            .chain(resolvers::cost::LEAVES_PER_PARENT.iter().copied())
            .chain(resolvers::cost::LISTS_BY_ARGUMENT.iter().map(|(n, _)| *n))
        {
            let (ty, field) = name.split_once('.').unwrap();
            let f = types.fields.get(ty).and_then(|t| t.get(field));
            assert!(f.is_some(), "{name} is not in schema.graphql");
        }
        for (name, _) in resolvers::cost::PAGES {
            let (ty, field) = name.split_once('.').unwrap();
            assert!(types.fields[ty][field].paged, "{name} takes no `first`");
        }
    }
}
