//! Relay cursor connections with keyset pagination on the row id: a stable order, opaque
//! cursors, `first/after/last/before`, `pageInfo` and `totalCount`. Page size defaults to
//! 50 and is capped at 100.

use async_graphql::SimpleObject;
use async_graphql::connection::{Connection, CursorType, Edge, EmptyFields};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select,
};

use crate::error::{ApiError, ApiResult};

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 50;
/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;

/// An opaque position in a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IdCursor(pub i64);

impl CursorType for IdCursor {
    type Error = &'static str;

    fn decode_cursor(s: &str) -> Result<Self, Self::Error> {
        let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| "invalid cursor")?;
        let text = std::str::from_utf8(&bytes).map_err(|_| "invalid cursor")?;
        let id = text
            .strip_prefix("c:")
            .and_then(|n| n.parse().ok())
            .ok_or("invalid cursor")?;
        Ok(IdCursor(id))
    }

    fn encode_cursor(&self) -> String {
        URL_SAFE_NO_PAD.encode(format!("c:{}", self.0))
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

/// The Relay arguments of a connection field.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub after: Option<String>,
    pub before: Option<String>,
    pub first: Option<i32>,
    pub last: Option<i32>,
}

fn cursor(field: &str, value: Option<&String>) -> ApiResult<Option<i64>> {
    value
        .map(|s| {
            IdCursor::decode_cursor(s)
                .map(|c| c.0)
                .map_err(|e| ApiError::bad_input(field, e))
        })
        .transpose()
}

fn size(field: &str, value: Option<i32>) -> ApiResult<Option<u64>> {
    match value {
        None => Ok(None),
        Some(n) if (0..=MAX_PAGE_SIZE).contains(&n) => Ok(Some(n as u64)),
        Some(_) => Err(ApiError::bad_input(
            field,
            format!("must be between 0 and {MAX_PAGE_SIZE}"),
        )),
    }
}

/// Runs `select` as one page ordered by `id_col`, mapping each row to `(id, node)`.
/// Issues two statements (the count and the page) whatever the page size.
pub async fn paginate<E, C, N>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id_col: C,
    args: PageArgs,
    map: impl Fn(E::Model) -> (i64, N),
) -> ApiResult<Page<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ColumnTrait,
    N: async_graphql::OutputType,
{
    let after = cursor("after", args.after.as_ref())?;
    let before = cursor("before", args.before.as_ref())?;
    let first = size("first", args.first)?;
    let last = size("last", args.last)?;
    if first.is_some() && last.is_some() {
        return Err(ApiError::bad_input(
            "last",
            "pass either first or last, not both",
        ));
    }
    let total = select.clone().count(db).await?;
    let mut q = select;
    if let Some(a) = after {
        q = q.filter(id_col.gt(a));
    }
    if let Some(b) = before {
        q = q.filter(id_col.lt(b));
    }
    let (mut rows, limit, backwards) = match last {
        Some(n) => (q.order_by_desc(id_col).limit(n + 1).all(db).await?, n, true),
        None => {
            let n = first.unwrap_or(DEFAULT_PAGE_SIZE as u64);
            (q.order_by_asc(id_col).limit(n + 1).all(db).await?, n, false)
        }
    };
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    if backwards {
        rows.reverse();
    }
    let (has_previous, has_next) = if backwards {
        (more, before.is_some())
    } else {
        (after.is_some(), more)
    };
    let mut conn =
        Connection::with_additional_fields(has_previous, has_next, Counted { total_count: total });
    conn.edges = rows
        .into_iter()
        .map(|m| {
            let (id, node) = map(m);
            Edge::new(IdCursor(id), node)
        })
        .collect();
    Ok(conn)
}
