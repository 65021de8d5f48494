//! What the request cost model (`schema::cost`, docs/api-limits.md "Cost") needs to know
//! about the resolvers that it cannot read from the types: the page sizes of each paged
//! field, and which fields are resolved per batch rather than per parent.

/// A paged field's page size when the request names none, and the most it may ask for
/// (the resolver refuses more with `BAD_USER_INPUT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageSize {
    pub default: u64,
    pub max: u64,
}

/// Most paged fields: 50 by default, at most 100.
pub const DEFAULT_PAGE: PageSize = PageSize {
    default: 50,
    max: 100,
};

/// The paged fields (`Type.field`) whose sizes differ from [`DEFAULT_PAGE`].
pub const PAGES: &[(&str, PageSize)] = &[
    // "Show all" on the client lines page (seed 001).
    (
        "Partner.clientLines",
        PageSize {
            default: 50,
            max: domain::lines::client_lines::MAX_CLIENTS as u64,
        },
    ),
    (
        "QueryRoot.notifications",
        PageSize {
            default: 20,
            max: 100,
        },
    ),
];

/// Fields (`Type.field`) that cost at most one SQL statement per batch, whatever the number
/// of parents they are resolved under: read through a request's DataLoader (all parents'
/// keys in one statement), or handed over by the page that listed their parent
/// (`clientLines` fetches its rows' clients, lines, channels and organizations in its own
/// statements and primes the loaders). A field that runs a statement for each parent must
/// not be here: the cost model would price it as one.
pub const PER_BATCH: &[&str] = &[
    // The client lines page's rows: from the page (client, lines) or its primed loaders.
    "ClientLines.client",
    "ClientLines.lines",
    "ClientLines.organizations",
    // A line's related objects: the users, organizations, spaces, channels and kinds
    // loaders.
    "Line.client",
    "Line.organization",
    "Line.space",
    "Line.channels",
    "LineChannel.kind",
    // "My clients": the users loader.
    "Client.user",
    // A quote's items: the lines loader.
    "QuoteItem.line",
];

/// How many items a list without page arguments is priced at, unless [`LISTS`] says
/// otherwise: what is selected under it runs on that many parents.
pub const DEFAULT_LIST: u64 = 10;

/// Lists (`Type.field`) whose length is one of their arguments' (a list of ids): priced at
/// that argument's length, at most [`DEFAULT_PAGE`]'s maximum (the resolver refuses more).
pub const LISTS_BY_ARGUMENT: &[(&str, &str)] = &[("QueryRoot.nodes", "ids")];

/// Fields of a scalar type that run a statement of their own for each parent (everything
/// else of a scalar type is read from its parent, or through a loader per batch): priced 1
/// per parent like an object.
pub const LEAVES_PER_PARENT: &[&str] = &[
    // The distinct countries of the partner's clients.
    "Partner.clientCountries",
    // The viewer's last attempt at the test.
    "CertificationTest.nextAttemptAt",
];

/// Whether the scalar field `ty.field` runs a statement per parent.
pub fn leaf_per_parent(ty: &str, field: &str) -> bool {
    LEAVES_PER_PARENT
        .iter()
        .any(|name| name.split_once('.') == Some((ty, field)))
}

/// The argument whose length is the length of the list `ty.field`, if there is one.
pub fn list_argument(ty: &str, field: &str) -> Option<&'static str> {
    LISTS_BY_ARGUMENT
        .iter()
        .find(|(name, _)| name.split_once('.') == Some((ty, field)))
        .map(|(_, arg)| *arg)
}

/// The page sizes of the paged field `ty.field`.
pub fn page_size(ty: &str, field: &str) -> PageSize {
    PAGES
        .iter()
        .find(|(name, _)| name.split_once('.') == Some((ty, field)))
        .map_or(DEFAULT_PAGE, |(_, size)| *size)
}

/// Whether `ty.field` is resolved per batch (see [`PER_BATCH`]).
pub fn per_batch(ty: &str, field: &str) -> bool {
    PER_BATCH
        .iter()
        .any(|name| name.split_once('.') == Some((ty, field)))
}
