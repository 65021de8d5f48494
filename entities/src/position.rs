//! Reading a model from a row by position instead of by column name.
//!
//! sea-orm's derived `FromQueryResult` finds every cell by name: sqlx hashes the name to
//! find the column, and in a join (`select_also`) sea-orm first builds each prefixed name
//! with `format!`, per cell. On the partner cabinet's big pages that was the largest block
//! of the gateway's own work (docs/performance.md, issue 29). A model that implements
//! [`ByPosition`] is read from `WIDTH` consecutive columns starting at a given index, in
//! its `Column::iter()` order, which is the order sea-orm selects a model's columns in.

use sea_orm::{DbErr, QueryResult};

/// A model read from consecutive columns of a row, in its `Column::iter()` order.
pub trait ByPosition: Sized {
    /// How many columns the model takes.
    const WIDTH: usize;
    /// The model's field names, in the order they are read (a test checks they are the
    /// columns' order).
    const FIELDS: &'static [&'static str];
    /// The model in columns `at..at + WIDTH` of `row`.
    fn read_at(row: &QueryResult, at: usize) -> Result<Self, DbErr>;
    /// The model in columns `at..at + WIDTH`, or `None` when its first column (the primary
    /// key) is NULL: the right side of a left join that matched nothing.
    fn read_optional_at(row: &QueryResult, at: usize) -> Result<Option<Self>, DbErr> {
        match row.try_get_by_index::<Option<i64>>(at)? {
            Some(_) => Self::read_at(row, at).map(Some),
            None => Ok(None),
        }
    }
}

/// Implements [`ByPosition`] for the module's `Model` with its fields listed in the
/// declared order (the order of its `Column` enum).
#[macro_export]
macro_rules! by_position {
    ($($field:ident),+ $(,)?) => {
        impl $crate::position::ByPosition for Model {
            const WIDTH: usize = Self::FIELDS.len();
            const FIELDS: &'static [&'static str] = &[$(stringify!($field)),+];
            fn read_at(
                row: &sea_orm::QueryResult,
                at: usize,
            ) -> Result<Self, sea_orm::DbErr> {
                let mut next = at..;
                Ok(Model {
                    $($field: row.try_get_by_index(next.next().unwrap_or(usize::MAX))?,)+
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::ByPosition;
    use sea_orm::{Iden, Iterable};

    fn columns<C: Iterable + Iden>() -> Vec<String> {
        C::iter().map(|c| c.to_string()).collect()
    }

    /// Every model read by position lists its fields in its columns' order, so a field
    /// added to a model without the list fails here, not on a page.
    #[test]
    fn models_read_by_position_list_their_columns_in_order() {
        macro_rules! same {
            ($($m:ident),+) => {$(
                assert_eq!(
                    crate::$m::Model::FIELDS.to_vec(),
                    columns::<crate::$m::Column>(),
                    stringify!($m)
                );
                assert_eq!(crate::$m::Model::WIDTH, columns::<crate::$m::Column>().len());
            )+};
        }
        same!(
            channel_kind,
            line,
            line_channel,
            line_comment,
            organization,
            organization_member,
            partner_client,
            user
        );
    }
}
