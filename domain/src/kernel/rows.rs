//! Joins read by position: a select narrowed to one entity's columns then another's, in
//! their `Column::iter()` order, each row read with [`ByPosition`] (no per-cell column
//! names, no prefixed names built with `format!` as `select_also` does). The big pages of
//! the partner cabinet read their joins this way (docs/performance.md, issue 29).

use entities::position::ByPosition;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Iterable, QuerySelect, QueryTrait, Select};

/// `select` narrowed to `E`'s columns then `J`'s, in their order. The caller joins `J`.
pub fn columns_of_both<E: EntityTrait, J: EntityTrait>(select: Select<E>) -> Select<E> {
    select
        .select_only()
        .columns(E::Column::iter())
        .columns(J::Column::iter())
}

/// The rows of `select` (with `J` joined by the caller) as pairs: `E`, and `J` when the
/// join matched (a left join's right side is `None` when it did not).
pub async fn pairs<E, J>(
    db: &impl ConnectionTrait,
    select: Select<E>,
) -> Result<Vec<(E::Model, Option<J::Model>)>, DbErr>
where
    E: EntityTrait,
    J: EntityTrait,
    E::Model: ByPosition,
    J::Model: ByPosition,
{
    let rows = db
        .query_all(columns_of_both::<E, J>(select).as_query())
        .await?;
    rows.iter()
        .map(|r| {
            Ok((
                E::Model::read_at(r, 0)?,
                J::Model::read_optional_at(r, E::Model::WIDTH)?,
            ))
        })
        .collect()
}
