//! Public documents: queries whose every field answers from the brand alone (its name,
//! branding, language, currency, primary domain), the same for anyone who asks it on that
//! brand's host. Every brand's sign-in page asks one of these on every load, before anyone
//! signs in; the HTTP layer may answer a signed-out request for such a document from its
//! remembered answer (docs/api-limits.md, "Public answers").
//!
//! The list is deliberately short and explicit, like Apollo's rule that a field without a
//! cache hint is not cacheable: a field is public only if it is named here, so a field
//! added later is never remembered by accident. A test checks every entry against the SDL.

use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};
use async_graphql::{Name, Positioned};

/// `(type, field, the field's object type if it has a selection)`: every field whose answer
/// depends on nothing but the brand the request's host names. Read from the tenant
/// registry's in-memory snapshot, never from the viewer, the database or the clock.
pub const PUBLIC_FIELDS: &[(&str, &str, Option<&str>)] = &[
    ("QueryRoot", "tenant", Some("Tenant")),
    ("Tenant", "id", None),
    ("Tenant", "slug", None),
    ("Tenant", "isRoot", None),
    ("Tenant", "displayName", None),
    ("Tenant", "legalName", None),
    ("Tenant", "branding", Some("Branding")),
    ("Tenant", "defaultLanguage", None),
    ("Tenant", "currency", None),
    ("Tenant", "timezone", None),
    ("Tenant", "primaryDomain", None),
    ("Branding", "logoUrl", None),
    ("Branding", "faviconUrl", None),
    ("Branding", "primaryColor", None),
    ("Branding", "accentColor", None),
    ("Branding", "supportEmail", None),
    ("Branding", "supportPhone", None),
    ("Branding", "supportUrl", None),
];

/// Whether the operation `operation_name` picks in `doc` is a query of public fields only
/// (`__typename` anywhere, fragments and `@include`/`@skip` with literal arguments allowed).
/// Meant for documents that have passed validation; anything it does not understand
/// (arguments, variables, other directives, an unknown fragment) makes it `false`.
pub fn is_public(doc: &ExecutableDocument, operation_name: Option<&str>) -> bool {
    let op = match operation_name {
        Some(name) => doc
            .operations
            .iter()
            .find(|(n, _)| n.is_some_and(|n| n.as_str() == name))
            .map(|(_, op)| op),
        None => {
            let mut ops = doc.operations.iter();
            match (ops.next(), ops.next()) {
                (Some((_, op)), None) => Some(op),
                _ => None,
            }
        }
    };
    let Some(op) = op else { return false };
    op.node.ty == OperationType::Query
        && op.node.variable_definitions.is_empty()
        && op.node.directives.is_empty()
        && selection_is_public(doc, &op.node.selection_set, "QueryRoot", 0)
}

/// Fragments nest at most this deep here (validation has refused cycles already; this
/// only bounds the walk).
const MAX_FRAGMENT_NESTING: usize = 8;

fn selection_is_public(
    doc: &ExecutableDocument,
    set: &Positioned<SelectionSet>,
    ty: &str,
    nesting: usize,
) -> bool {
    set.node.items.iter().all(|item| match &item.node {
        Selection::Field(f) => {
            let f = &f.node;
            if !f.arguments.is_empty() || !directives_are_plain(&f.directives) {
                return false;
            }
            if f.name.node == "__typename" {
                return f.selection_set.node.items.is_empty();
            }
            match PUBLIC_FIELDS
                .iter()
                .find(|(t, name, _)| *t == ty && *name == f.name.node.as_str())
            {
                Some((_, _, Some(child))) => {
                    selection_is_public(doc, &f.selection_set, child, nesting)
                }
                Some((_, _, None)) => f.selection_set.node.items.is_empty(),
                None => false,
            }
        }
        Selection::InlineFragment(frag) => {
            let frag = &frag.node;
            directives_are_plain(&frag.directives)
                && frag
                    .type_condition
                    .as_ref()
                    .is_none_or(|c| c.node.on.node.as_str() == ty)
                && selection_is_public(doc, &frag.selection_set, ty, nesting)
        }
        Selection::FragmentSpread(spread) => {
            let spread = &spread.node;
            nesting < MAX_FRAGMENT_NESTING
                && directives_are_plain(&spread.directives)
                && doc
                    .fragments
                    .get(&spread.fragment_name.node)
                    .is_some_and(|frag| {
                        frag.node.type_condition.node.on.node.as_str() == ty
                            && selection_is_public(doc, &frag.node.selection_set, ty, nesting + 1)
                    })
        }
    })
}

/// Only `@include`/`@skip`, whose literal `if` makes the answer a function of the text.
fn directives_are_plain(
    directives: &[Positioned<async_graphql::parser::types::Directive>],
) -> bool {
    directives.iter().all(|d| {
        let name: &Name = &d.node.name.node;
        (name == "include" || name == "skip")
            && d.node.arguments.iter().all(|(_, v)| {
                matches!(
                    v.node.clone().into_const(),
                    Some(async_graphql::Value::Boolean(_))
                )
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(q: &str, name: Option<&str>) -> bool {
        is_public(&async_graphql::parser::parse_query(q).unwrap(), name)
    }

    #[test]
    fn only_documents_of_listed_fields_are_public() {
        assert!(public(
            "{ tenant { slug displayName branding { logoUrl } } }",
            None
        ));
        assert!(public(
            "{ __typename t: tenant { __typename primaryDomain } }",
            None
        ));
        assert!(public(
            "query Brand { tenant { ...B } } fragment B on Tenant { slug ... on Tenant { currency } }",
            Some("Brand")
        ));
        assert!(public(
            "{ tenant { slug @include(if: true) legalName @skip(if: false) } }",
            None
        ));
        assert!(public(
            "{ ...Q } fragment Q on QueryRoot { __typename }",
            None
        ));
        // A field not on the list, at any depth, and whatever its name on another type.
        assert!(!public("{ tenant { slug domains { host } } }", None));
        assert!(!public("{ tenant { slug } viewer { email } }", None));
        assert!(!public("{ viewer { slug } }", None));
        assert!(!public("{ tenant { partnerProgram { enabled } } }", None));
        // Variables, mutations, unknown directives, the wrong fragment type.
        assert!(!public(
            "query($s: Boolean!) { tenant { slug @include(if: $s) } }",
            None
        ));
        assert!(!public("mutation { tenant { slug } }", None));
        assert!(!public("{ tenant @cached { slug } }", None));
        assert!(!public(
            "{ tenant { ...B } } fragment B on Viewer { slug }",
            None
        ));
        // Several operations: the named one decides; without a name, none is picked.
        let two = "query A { tenant { slug } } query B { viewer { email } }";
        assert!(public(two, Some("A")));
        assert!(!public(two, Some("B")));
        assert!(!public(two, None));
        assert!(!public(two, Some("C")));
    }

    /// Every listed field exists with the listed type, takes no arguments, and the
    /// types without a selection are scalars or enums: the list cannot drift from the
    /// schema unnoticed.
    #[test]
    fn the_list_matches_the_schema() {
        use async_graphql::parser::types::{BaseType, TypeKind, TypeSystemDefinition};
        let sdl = async_graphql::parser::parse_schema(crate::sdl()).unwrap();
        let types: std::collections::HashMap<&str, &TypeKind> = sdl
            .definitions
            .iter()
            .filter_map(|d| match d {
                TypeSystemDefinition::Type(t) => Some((t.node.name.node.as_str(), &t.node.kind)),
                _ => None,
            })
            .collect();
        for (ty, field, child) in PUBLIC_FIELDS {
            let Some(TypeKind::Object(obj)) = types.get(ty) else {
                panic!("{ty} is not an object type")
            };
            let def = obj
                .fields
                .iter()
                .find(|f| f.node.name.node == *field)
                .unwrap_or_else(|| panic!("{ty}.{field} is not in the schema"));
            assert!(
                def.node.arguments.is_empty(),
                "{ty}.{field} takes arguments"
            );
            let mut base = &def.node.ty.node.base;
            while let BaseType::List(inner) = base {
                base = &inner.base;
            }
            let BaseType::Named(named) = base else {
                unreachable!()
            };
            match child {
                Some(c) => assert_eq!(named.as_str(), *c, "{ty}.{field}"),
                None => assert!(
                    matches!(
                        types.get(named.as_str()),
                        None | Some(TypeKind::Scalar | TypeKind::Enum(_))
                    ),
                    "{ty}.{field} is {named}, an object: name it as one"
                ),
            }
        }
    }
}
