//! Relay cursor connections over the domain's keyset pages (`domain::kernel::page`):
//! `first/after/last/before`, `pageInfo` and `totalCount`.

use async_graphql::SimpleObject;
use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields};

pub use domain::kernel::page::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, PageArgs, Paged};

/// An opaque position in a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdCursor(pub i64);

impl CursorType for IdCursor {
    type Error = &'static str;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        domain::kernel::page::decode_cursor(s).map(IdCursor)
    }

    fn encode_cursor(&self) -> String {
        domain::kernel::page::encode_cursor(self.0)
    }
}

/// Fields every connection has besides edges and page info.
#[derive(SimpleObject)]
pub struct Counted {
    /// How many items match, on all pages.
    pub total_count: u64,
}

/// A page of `N`.
pub type Page<N> = Connection<IdCursor, N, Counted, EmptyFields>;

/// A domain page as a connection, each item mapped to its GraphQL node.
pub fn connection<T, N: async_graphql::OutputType>(
    page: Paged<T>,
    mut node: impl FnMut(T) -> N,
) -> Page<N> {
    let mut conn = Connection::with_additional_fields(
        page.has_previous,
        page.has_next,
        Counted {
            total_count: page.total,
        },
    );
    conn.edges = page
        .rows
        .into_iter()
        .map(|(id, t)| Edge::new(IdCursor(id), node(t)))
        .collect();
    conn
}
