//! The wanted features of a lead, as the form sends them and as free leads are filtered by
//! them: one check and normal form for both (lower-case, no repeats).

use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::validate;

/// Most features one lead may list.
pub const MAX_FEATURES: usize = 20;

/// Checks and normalises a list of wanted features (lower-case, no repeats).
pub fn feature_list(field: &str, raw: &[String]) -> ApiResult<Vec<String>> {
    if raw.len() > MAX_FEATURES {
        return Err(ApiError::bad_input(
            field,
            format!("at most {MAX_FEATURES} features"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for f in raw {
        let f = validate::text(field, f, 40)?.to_lowercase();
        if !f
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '.' | '+'))
        {
            return Err(ApiError::bad_input(
                field,
                "a feature is letters, digits, spaces, '-', '.' or '+'",
            ));
        }
        if !out.contains(&f) {
            out.push(f);
        }
    }
    Ok(out)
}
