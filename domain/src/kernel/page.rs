//! Keyset pagination on the row id: a stable order, opaque cursors, `first/after/last/
//! before` and a total count. Page size defaults to 50 and is capped at 100. Operations
//! return a [`Paged`]; the GraphQL layer turns it into a Relay connection.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sea_orm::sea_query::{Expr, SelectStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QueryResult, QuerySelect, QueryTrait, Select,
};

use super::error::{ApiError, ApiResult};

/// Page size when neither `first` nor `last` is given.
pub const DEFAULT_PAGE_SIZE: i32 = 50;
/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: i32 = 100;

/// The opaque cursor of row `id`.
pub fn encode_cursor(id: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("c:{id}"))
}

/// The row id behind a cursor.
pub fn decode_cursor(s: &str) -> Result<i64, &'static str> {
    let bytes = URL_SAFE_NO_PAD.decode(s).map_err(|_| "invalid cursor")?;
    let text = std::str::from_utf8(&bytes).map_err(|_| "invalid cursor")?;
    text.strip_prefix("c:")
        .and_then(|n| n.parse().ok())
        .ok_or("invalid cursor")
}

/// The Relay arguments of a list.
#[derive(Debug, Clone, Default)]
pub struct PageArgs {
    pub after: Option<String>,
    pub before: Option<String>,
    pub first: Option<i32>,
    pub last: Option<i32>,
}

/// One page: `(row id, item)` in order, the total on all pages, and whether there are
/// more before and after.
#[derive(Debug, Clone)]
pub struct Paged<T> {
    pub rows: Vec<(i64, T)>,
    pub total: u64,
    pub has_previous: bool,
    pub has_next: bool,
}

impl<T> Paged<T> {
    /// The same page with every item mapped.
    pub fn map<U>(self, mut f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            rows: self.rows.into_iter().map(|(id, t)| (id, f(t))).collect(),
            total: self.total,
            has_previous: self.has_previous,
            has_next: self.has_next,
        }
    }

    /// The items, in order.
    pub fn items(&self) -> impl Iterator<Item = &T> {
        self.rows.iter().map(|(_, t)| t)
    }
}

/// The row id of a cursor argument (`after`, `before`); `BAD_USER_INPUT` on `field`.
pub fn cursor(field: &str, value: Option<&String>) -> ApiResult<Option<i64>> {
    value
        .map(|s| decode_cursor(s).map_err(|e| ApiError::bad_input(field, e)))
        .transpose()
}

/// A page size argument (`first`, `last`) checked against `max`.
pub fn size(field: &str, value: Option<i32>, max: i32) -> ApiResult<Option<u64>> {
    match value {
        None => Ok(None),
        Some(n) if (0..=max).contains(&n) => Ok(Some(n as u64)),
        Some(_) => Err(ApiError::bad_input(
            field,
            format!("must be between 0 and {max}"),
        )),
    }
}

/// Runs `select` as one page ordered by `id_col`, mapping each row to `(id, item)`.
/// One statement whatever the page size: the total rides along as a scalar subquery.
pub async fn paginate<E, C, N>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id_col: C,
    args: PageArgs,
    map: impl Fn(E::Model) -> (i64, N),
) -> ApiResult<Paged<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ColumnTrait,
{
    paginate_up_to(db, select, id_col, args, MAX_PAGE_SIZE, map).await
}

/// [`paginate`] with another cap on the page size (a "show all" list bounded at `max`).
pub async fn paginate_up_to<E, C, N>(
    db: &impl ConnectionTrait,
    select: Select<E>,
    id_col: C,
    args: PageArgs,
    max: i32,
    map: impl Fn(E::Model) -> (i64, N),
) -> ApiResult<Paged<N>>
where
    E: EntityTrait,
    E::Model: Sync,
    C: ColumnTrait,
{
    paginate_rows(
        db,
        select,
        id_col,
        args,
        max,
        |r| E::Model::from_query_result(r, ""),
        map,
    )
    .await
}

/// The alias of the total column a page query carries.
const TOTAL: &str = "page_total";

/// The general form of [`paginate`]: any select (a join such as `select_also`), each row
/// decoded by `parse`. One statement: the rows of the page and, in each, the total as a
/// scalar subquery over the same filters (evaluated once by both backends). Only an
/// empty page after a cursor needs a second statement for the total.
pub async fn paginate_rows<S, C, R, N>(
    db: &impl ConnectionTrait,
    select: S,
    id_col: C,
    args: PageArgs,
    max: i32,
    parse: impl Fn(&QueryResult) -> Result<R, DbErr>,
    map: impl Fn(R) -> (i64, N),
) -> ApiResult<Paged<N>>
where
    S: QueryFilter + QueryOrder + QuerySelect + QueryTrait<QueryStatement = SelectStatement>,
    C: ColumnTrait,
{
    let after = cursor("after", args.after.as_ref())?;
    let before = cursor("before", args.before.as_ref())?;
    let first = size("first", args.first, max)?;
    let last = size("last", args.last, max)?;
    if first.is_some() && last.is_some() {
        return Err(ApiError::bad_input(
            "last",
            "pass either first or last, not both",
        ));
    }
    let mut count = select.as_query().clone();
    count.clear_selects();
    count.expr(Expr::cust("COUNT(*)"));
    let mut q = select.expr_as(Expr::SubQuery(None, Box::new(count.clone().into())), TOTAL);
    if let Some(a) = after {
        q = q.filter(id_col.gt(a));
    }
    if let Some(b) = before {
        q = q.filter(id_col.lt(b));
    }
    let (limit, backwards) = match last {
        Some(n) => (n, true),
        None => (first.unwrap_or(DEFAULT_PAGE_SIZE as u64), false),
    };
    q = if backwards {
        q.order_by_desc(id_col)
    } else {
        q.order_by_asc(id_col)
    };
    let found = db.query_all(q.limit(limit + 1).as_query()).await?;
    let total = match found.first() {
        Some(r) => r.try_get::<i64>("", TOTAL)?,
        None if after.is_none() && before.is_none() => 0,
        None => match db.query_one(&count).await? {
            Some(r) => r.try_get_by_index::<i64>(0)?,
            None => 0,
        },
    };
    let mut rows = found
        .iter()
        .map(&parse)
        .collect::<Result<Vec<R>, DbErr>>()?;
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
    Ok(Paged {
        rows: rows.into_iter().map(map).collect(),
        total: total.max(0) as u64,
        has_previous,
        has_next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        assert_eq!(decode_cursor(&encode_cursor(17)), Ok(17));
        assert!(decode_cursor("nope").is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("x:1")).is_err());
    }
}
