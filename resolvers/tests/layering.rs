//! The domain order of this crate, checked: a module may import only modules of its own
//! layer or below. Adding a domain means adding it to `LAYERS` above those it uses; a
//! lower domain never imports it.
//!
//! - kernel: errors, ids, pagination, services, validation, passwords, emails, links,
//!   transactions, audit writing, the loader helpers, and `shared`, the handles of the types several domains add fields to (`User`);
//! - then identity < tenancy < orgs < partners < lines < orders < ledger < payments <
//!   leads < notifications < flows (cross-domain atomic steps) < `hub`, which assembles
//!   the shared types from the domains' parts, < the root (`node`, `lib.rs`).
//!
//! No module is exempt: a domain returns `shared::User` and never names the hub.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::path::Path;

const LAYERS: &[&[&str]] = &[
    // `audit`, `links`, `password`, `txn` and `validate` are the domain crate's kernel,
    // re-exported under their old paths.
    &[
        "error",
        "ids",
        "inputs",
        "money",
        "pagination",
        "cost",
        "services",
        "validate",
        "password",
        "emails",
        "links",
        "txn",
        "audit",
        "loaders",
        "shared",
        "language",
    ],
    &["identity"],
    &["tenancy"],
    &["orgs"],
    &["partners"],
    &["lines"],
    &["orders"],
    &["ledger"],
    &["payments"],
    &["leads"],
    &["notifications"],
    &["flows"],
    &["hub"],
    &["node", "lib"],
];

/// Names that lib.rs re-exports from the kernel (`crate::ApiError`, `crate::request`, ...).
const ROOT_REEXPORTS: &[&str] = &[
    "ApiError",
    "ApiResult",
    "GqlError",
    "GqlResult",
    "Services",
    "Settings",
    "currency_of",
    "request",
    "services",
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

/// The first path segment after every `crate::` in `src`, including each item of a
/// `crate::{a, b::c}` group.
fn crate_imports(src: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = src;
    while let Some(at) = rest.find("crate::") {
        rest = &rest[at + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // Top-level items of the group.
            let mut depth = 0;
            let mut item = String::new();
            for c in group.chars() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        out.insert(first_ident(&item));
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                item.push(c);
            }
            if !item.trim().is_empty() {
                out.insert(first_ident(&item));
            }
        } else {
            out.insert(first_ident(rest));
        }
    }
    out.retain(|s| !s.is_empty());
    out
}

fn first_ident(s: &str) -> String {
    s.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// `(module, file, imports)` for every source file of the crate.
fn files() -> Vec<(String, String, BTreeSet<String>)> {
    files_of(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"))
}

/// `(module, file, imports)` for every source file under `root`.
fn files_of(root: &Path) -> Vec<(String, String, BTreeSet<String>)> {
    let root = root.to_path_buf();
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .to_string();
            let module = rel
                .split('/')
                .next()
                .unwrap()
                .trim_end_matches(".rs")
                .to_string();
            let src = std::fs::read_to_string(&path).unwrap();
            out.push((module, rel, crate_imports(&src)));
        }
    }
    assert!(out.len() > 5, "found only {} files", out.len());
    out
}

/// The domain crate's order: the kernel, then the domains.
const DOMAIN_LAYERS: &[&[&str]] = &[
    &["kernel", "lib"],
    &["identity"],
    &["tenancy"],
    &["orgs"],
    &["partners"],
    &["lines"],
    &["orders"],
    &["payments"],
    &["ledger"],
    &["leads"],
    &["notifications"],
    &["flows", "jobs"],
];

#[test]
fn the_domain_crate_imports_only_downwards() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/src");
    let layer = |m: &str| DOMAIN_LAYERS.iter().position(|l| l.contains(&m));
    let mut wrong = Vec::new();
    for (module, file, imports) in files_of(&root) {
        let Some(mine) = layer(&module) else {
            wrong.push(format!("{file}: module `{module}` is in no layer"));
            continue;
        };
        for import in imports {
            match layer(&import) {
                Some(theirs) if theirs > mine => wrong.push(format!(
                    "{file} ({module}) imports `{import}`, a higher layer"
                )),
                Some(_) => {}
                // Re-exports at the crate root are the kernel's.
                None if ["ApiError", "ApiResult", "Services", "Settings"]
                    .contains(&import.as_str()) => {}
                None => wrong.push(format!("{file}: `crate::{import}` is in no layer")),
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the domain order:\n{}",
        wrong.join("\n")
    );
}

/// The GraphQL layer decodes input, calls an operation and maps the result: only the
/// loaders (batched reads for fields) and the schema's setup touch the database.
#[test]
fn only_loaders_query_the_database_in_the_graphql_layer() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (_, file, _) in files_of(&root) {
        if file.ends_with("loaders.rs") || file == "lib.rs" {
            continue;
        }
        let src = std::fs::read_to_string(root.join(&file)).unwrap();
        for needle in ["sea_orm::", "use sea_orm", "scoped::<", "Entity::find"] {
            if src.contains(needle) {
                wrong.push(format!("{file} uses `{needle}`"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "database access outside an operation:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn every_module_is_in_a_layer() {
    for (module, file, _) in files() {
        assert!(
            layer_of(&module).is_some(),
            "{file}: module `{module}` is in no layer of tests/layering.rs"
        );
    }
}

#[test]
fn modules_import_only_their_layer_or_below() {
    let mut wrong = Vec::new();
    for (module, file, imports) in files() {
        let Some(mine) = layer_of(&module) else {
            continue;
        };
        for import in imports {
            if import == module {
                continue;
            }
            let theirs = match layer_of(&import) {
                Some(l) => l,
                None if ROOT_REEXPORTS.contains(&import.as_str()) => 0,
                None => {
                    wrong.push(format!("{file}: `crate::{import}` is in no layer"));
                    continue;
                }
            };
            if theirs > mine {
                wrong.push(format!(
                    "{file} ({module}) imports `{import}`, a higher layer"
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "imports against the domain order:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_scanner_sees_grouped_and_plain_imports() {
    let found = crate_imports(
        "use crate::{ApiError, orgs::ops::lock, partners};\nlet x = crate::flows::sign_up;",
    );
    let want: BTreeSet<String> = ["ApiError", "orgs", "partners", "flows"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(found, want);
    // A lower module naming a higher one is caught.
    let identity_file = crate_imports("use crate::orgs::access::lock_org;");
    assert!(identity_file.contains("orgs"));
    assert!(layer_of("orgs") > layer_of("identity"));
    // Naming the hub from a domain is caught like any higher module.
    assert!(crate_imports("fn f() -> crate::hub::UserObject {}").contains("hub"));
    assert!(layer_of("hub") > layer_of("flows"));
    assert!(layer_of("hub") < layer_of("node"));
}

/// Every `.rs` file under `root`, as (path relative to `root`, text).
fn sources(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .to_string();
                out.push((rel, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    out
}

/// The files of the server (the domain crate, the GraphQL layer and the binary's `src/`)
/// that contain one of `writes`, other than `allowed` (paths like `domain/src/x.rs`).
/// `gen-data` is exempt: it loads a generated history in bulk, with explicit ids, as a
/// fixture, not through the product's paths.
fn writers_outside(writes: &[&str], allowed: &str) -> Vec<String> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut wrong = Vec::new();
    for (crate_dir, root) in [
        ("domain/src", "../domain/src"),
        ("resolvers/src", "src"),
        ("src", "../src"),
    ] {
        for (file, text) in sources(&manifest.join(root)) {
            let path = format!("{crate_dir}/{file}");
            if path == allowed || path == "src/dev/gen_data.rs" {
                continue;
            }
            for w in writes {
                if text.contains(w) {
                    wrong.push(format!("{path}: {w}"));
                }
            }
        }
    }
    wrong
}

/// Ledger entries are appended by one function, `ledger::entries::write`: no other file
/// of the server builds, inserts, updates or deletes one.
#[test]
fn ledger_entries_are_written_only_through_ledger_entries() {
    let writes = [
        "partner_ledger_entry::ActiveModel",
        "entry::ActiveModel",
        "partner_ledger_entry::Entity::insert",
        "partner_ledger_entry::Entity::update",
        "partner_ledger_entry::Entity::delete",
        "entry::Entity::update",
        "entry::Entity::delete",
        "INSERT INTO partner_ledger_entries",
        "UPDATE partner_ledger_entries",
        "DELETE FROM partner_ledger_entries",
    ];
    let wrong = writers_outside(&writes, "domain/src/ledger/entries.rs");
    assert!(
        wrong.is_empty(),
        "ledger entries written outside ledger::entries::write:\n{}",
        wrong.join("\n")
    );
}

/// Lines and their channels are written in one file, `lines/provision.rs`: no other file
/// of the server builds an active model of either, or inserts, updates or deletes rows.
#[test]
fn lines_are_written_only_by_lines_provision() {
    let writes = [
        "line::ActiveModel",
        "line_channel::ActiveModel",
        "line::Entity::insert",
        "line::Entity::update",
        "line::Entity::delete",
        "line_channel::Entity::insert",
        "line_channel::Entity::update",
        "line_channel::Entity::delete",
        "INSERT INTO lines",
        "UPDATE lines",
        "DELETE FROM lines",
        "INSERT INTO line_channels",
        "UPDATE line_channels",
        "DELETE FROM line_channels",
    ];
    let wrong = writers_outside(&writes, "domain/src/lines/provision.rs");
    assert!(
        wrong.is_empty(),
        "lines or channels written outside lines::provision:\n{}",
        wrong.join("\n")
    );
    // The scanner sees the writes it is meant to find.
    let provision = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../domain/src/lines/provision.rs"),
    )
    .unwrap();
    for w in [
        "line::ActiveModel",
        "line_channel::ActiveModel",
        "UPDATE lines",
    ] {
        assert!(provision.contains(w), "provision.rs no longer has {w}");
    }
}

/// The lines of each function (from its `fn` line to its closing brace at the same
/// indentation) in `text`, as (name, lines).
fn function_lengths(text: &str) -> Vec<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let trimmed = l.trim_start();
        let indent = &l[..l.len() - trimmed.len()];
        let rest = ["pub(crate) ", "pub(super) ", "pub "]
            .iter()
            .find_map(|p| trimmed.strip_prefix(p))
            .unwrap_or(trimmed);
        let rest = rest.strip_prefix("async ").unwrap_or(rest);
        let Some(sig) = rest.strip_prefix("fn ") else {
            continue;
        };
        let name: String = sig
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        let close = format!("{indent}}}");
        if let Some(end) = lines[i + 1..].iter().position(|x| *x == close) {
            out.push((name, end + 1));
        }
    }
    out
}

/// Use-case files and named steps: no file of the domain crate over 600 lines, and no
/// function of the server over 120 (migrations, `gen-data`, unit-test files and the
/// permission matrix's table of rows aside).
#[test]
fn files_and_functions_stay_small() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut wrong = Vec::new();
    for (crate_dir, root) in [
        ("domain/src", "../domain/src"),
        ("resolvers/src", "src"),
        ("schema/src", "../schema/src"),
        ("tenants/src", "../tenants/src"),
        ("src", "../src"),
    ] {
        for (file, text) in sources(&manifest.join(root)) {
            let path = format!("{crate_dir}/{file}");
            if path == "src/dev/gen_data.rs" || file.ends_with("_tests.rs") {
                continue;
            }
            let table = path == "tenants/src/policy/matrix.rs";
            let n = text.lines().count();
            if crate_dir == "domain/src" && n > 600 {
                wrong.push(format!("{path}: {n} lines"));
            }
            for (name, len) in function_lengths(&text) {
                if len > 120 && !(table && name == "rows") {
                    wrong.push(format!("{path}: fn {name} is {len} lines"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "too big:\n{}", wrong.join("\n"));
    // The measure sees a function's length.
    let long = format!("fn f() {{\n{}}}\n", "    x();\n".repeat(130));
    assert_eq!(function_lengths(&long), vec![("f".to_string(), 131)]);
}

/// The module path (`["orgs", "access"]`) of a file relative to its crate's `src/`.
fn module_path(file: &str) -> Vec<String> {
    let stem = file.trim_end_matches(".rs");
    let mut segs: Vec<String> = stem.split('/').map(str::to_string).collect();
    if matches!(
        segs.last().map(String::as_str),
        Some("mod" | "lib" | "main")
    ) {
        segs.pop();
    }
    segs
}

/// Every `crate::…` and `super::…` path in `src` (comments left out), and every private
/// `use` of a child module by its bare name, with `{a, b::c}` groups expanded, as segments from the
/// crate root. `module` is the file's module path.
fn paths_in(src: &str, module: &[String], is_mod_file: bool) -> Vec<Vec<String>> {
    let code: String = src
        .lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let mut out = Vec::new();
    // A file's `super` is the module that declares it.
    let parent = module[..module.len().saturating_sub(1)].to_vec();
    for (start, base) in [("crate::", Vec::new()), ("super::", parent)] {
        let mut rest = code.as_str();
        while let Some(i) = rest.find(start) {
            let before = rest[..i].chars().last();
            rest = &rest[i + start.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            expand(rest, base.clone(), &mut out);
        }
    }
    // `use child::…` in a module's own file (a `mod.rs`, `lib.rs` or `main.rs`). A
    // `pub use` only re-exports a child's names to the callers: not a use by this file.
    if is_mod_file {
        for line in code.lines() {
            let Some(path) = line.trim_start().strip_prefix("use ") else {
                continue;
            };
            if ["crate::", "super::", "self::"]
                .iter()
                .any(|p| path.starts_with(p))
            {
                continue;
            }
            expand(path, module.to_vec(), &mut out);
        }
    }
    out
}

/// Reads `a::b::{c, d::e}` at the start of `s` onto `base`.
fn expand(s: &str, base: Vec<String>, out: &mut Vec<Vec<String>>) {
    let mut path = base;
    let mut s = s;
    loop {
        let ident: String = s
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if ident.is_empty() {
            if let Some(inner) = s.strip_prefix('{') {
                let mut depth = 0;
                let mut item = String::new();
                for c in inner.chars() {
                    match c {
                        '{' => depth += 1,
                        '}' if depth == 0 => break,
                        '}' => depth -= 1,
                        ',' if depth == 0 => {
                            expand(item.trim(), path.clone(), out);
                            item.clear();
                            continue;
                        }
                        _ => {}
                    }
                    item.push(c);
                }
                if !item.trim().is_empty() {
                    expand(item.trim(), path.clone(), out);
                }
                return;
            }
            out.push(path);
            return;
        }
        s = &s[ident.len()..];
        if ident != "self" {
            path.push(ident);
        }
        match s.strip_prefix("::") {
            Some(r) => s = r,
            None => {
                out.push(path);
                return;
            }
        }
    }
}

/// The file a module path names: the longest prefix that is a file of the crate.
fn file_of(files: &BTreeSet<String>, path: &[String]) -> Option<String> {
    for n in (0..=path.len()).rev() {
        let p = path[..n].join("/");
        for candidate in [
            format!("{p}.rs"),
            format!("{p}/mod.rs"),
            if n == 0 {
                "lib.rs".to_string()
            } else {
                String::new()
            },
        ] {
            if files.contains(&candidate) {
                return Some(candidate);
            }
        }
    }
    None
}

/// The groups of more than one file that import each other in a circle (Tarjan's strongly
/// connected components over the file-to-file imports of one crate).
fn import_circles(root: &Path) -> Vec<Vec<String>> {
    let sources = sources(root);
    let files: BTreeSet<String> = sources.iter().map(|(f, _)| f.clone()).collect();
    let mut edges: std::collections::BTreeMap<String, BTreeSet<String>> = Default::default();
    for (file, text) in &sources {
        let module = module_path(file);
        let is_mod = ["mod.rs", "lib.rs", "main.rs"]
            .iter()
            .any(|n| file == n || file.ends_with(&format!("/{n}")));
        let mut to = BTreeSet::new();
        for path in paths_in(text, &module, is_mod) {
            if let Some(f) = file_of(&files, &path)
                && f != *file
            {
                to.insert(f);
            }
        }
        edges.insert(file.clone(), to);
    }
    // Tarjan.
    struct T<'a> {
        edges: &'a std::collections::BTreeMap<String, BTreeSet<String>>,
        index: std::collections::HashMap<&'a str, usize>,
        low: std::collections::HashMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    fn visit<'a>(t: &mut T<'a>, v: &'a str) {
        t.index.insert(v, t.next);
        t.low.insert(v, t.next);
        t.next += 1;
        t.stack.push(v);
        t.on.insert(v);
        if let Some(ws) = t.edges.get(v) {
            for w in ws {
                let w = w.as_str();
                if !t.index.contains_key(w) {
                    visit(t, w);
                    let lw = t.low[w];
                    let lv = t.low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if t.on.contains(w) {
                    let iw = t.index[w];
                    let lv = t.low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
        }
        if t.low[v] == t.index[v] {
            let mut group = Vec::new();
            while let Some(w) = t.stack.pop() {
                t.on.remove(w);
                group.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if group.len() > 1 {
                group.sort();
                t.out.push(group);
            }
        }
    }
    let mut t = T {
        edges: &edges,
        index: Default::default(),
        low: Default::default(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !t.index.contains_key(v.as_str()) {
            visit(&mut t, v.as_str());
        }
    }
    t.out
}

/// No two files of a crate import each other, directly or round a circle (sea-orm's entity
/// relations in `entities/` are the one allowed kind, and that crate is not scanned).
#[test]
fn no_file_imports_round_a_circle() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut wrong = Vec::new();
    for root in [
        "../tenants/src",
        "../domain/src",
        "src",
        "../schema/src",
        "../src",
    ] {
        for group in import_circles(&manifest.join(root)) {
            wrong.push(format!("{root}: {}", group.join(" <-> ")));
        }
    }
    assert!(wrong.is_empty(), "import circles:\n{}", wrong.join("\n"));
}

#[test]
fn the_circle_finder_finds_a_circle() {
    let dir = std::env::temp_dir().join(format!("circle-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("a")).unwrap();
    std::fs::write(dir.join("lib.rs"), "pub mod a;\n").unwrap();
    std::fs::write(
        dir.join("a/mod.rs"),
        "pub mod x;\npub mod y;\npub mod w;\npub use x::Shown;\nuse w::Thing;\n",
    )
    .unwrap();
    std::fs::write(dir.join("a/w.rs"), "use super::Other;\n").unwrap();
    std::fs::write(dir.join("a/x.rs"), "use crate::a::y::f;\n").unwrap();
    std::fs::write(dir.join("a/y.rs"), "use super::{x::g, z};\n").unwrap();
    let found = import_circles(&dir);
    std::fs::remove_dir_all(&dir).unwrap();
    // x and y name each other; a/mod.rs uses w, which imports from a/mod.rs (its
    // re-export of x is no use of x).
    assert_eq!(
        found,
        vec![
            vec!["a/mod.rs".to_string(), "a/w.rs".to_string()],
            vec!["a/x.rs".to_string(), "a/y.rs".to_string()],
        ]
    );
}
