//! Input validation shared by every domain. Each check names the input field it refuses.

use crate::kernel::error::{ApiError, ApiResult};

/// Lower-cases and checks an email address.
pub fn email(field: &str, raw: &str) -> ApiResult<String> {
    let e = raw.trim().to_lowercase();
    let bad = || ApiError::bad_input(field, "not a valid email address");
    if e.len() > 254 {
        return Err(bad());
    }
    let (local, domain) = e.split_once('@').ok_or_else(bad)?;
    let local_ok = !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~.-".contains(c));
    let domain_ok = domain.contains('.')
        && domain.split('.').all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        });
    if local_ok && domain_ok {
        Ok(e)
    } else {
        Err(bad())
    }
}

/// Normalises a phone number to E.164 (`+` and 8 to 15 digits). Spaces, dashes, dots and
/// brackets are dropped; a number must start with `+` and its country code.
pub fn phone(field: &str, raw: &str) -> ApiResult<String> {
    let cleaned: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = cleaned.strip_prefix('+').unwrap_or("");
    if (8..=15).contains(&digits.len())
        && digits.chars().all(|c| c.is_ascii_digit())
        && !digits.starts_with('0')
    {
        Ok(format!("+{digits}"))
    } else {
        Err(ApiError::bad_input(
            field,
            "not a valid phone number: use the international format, e.g. +79991234567",
        ))
    }
}

/// Trims a required free-text value and checks its length. Control characters (line
/// breaks included) are refused: names and titles reach email headers and subjects, where
/// a `\r\n` would start a header of the sender's choosing.
pub fn text(field: &str, raw: &str, max: usize) -> ApiResult<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(ApiError::bad_input(field, "must not be empty"));
    }
    if t.chars().any(char::is_control) {
        return Err(ApiError::bad_input(
            field,
            "must not contain control characters or line breaks",
        ));
    }
    if t.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(t.to_string())
}

/// Checks an optional free-text value; blank becomes `None`.
pub fn opt_text(field: &str, raw: Option<&str>, max: usize) -> ApiResult<Option<String>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(t) => text(field, t, max).map(Some),
    }
}

/// Checks an optional multi-line text (a description): line breaks and tabs are kept
/// (`\r\n` becomes `\n`), other control characters are refused; blank becomes `None`.
pub fn opt_paragraphs(field: &str, raw: Option<&str>, max: usize) -> ApiResult<Option<String>> {
    let Some(t) = raw.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let t = t.replace("\r\n", "\n");
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err(ApiError::bad_input(
            field,
            "must not contain control characters",
        ));
    }
    if t.chars().count() > max {
        return Err(ApiError::bad_input(
            field,
            format!("must be at most {max} characters"),
        ));
    }
    Ok(Some(t))
}

/// Checks an optional value with `check`; absent or blank is `None`.
pub fn optional<T>(
    field: &str,
    raw: Option<&str>,
    check: impl Fn(&str, &str) -> ApiResult<T>,
) -> ApiResult<Option<T>> {
    raw.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| check(field, s))
        .transpose()
}

/// Checks an `http(s)` URL.
pub fn url(field: &str, raw: &str) -> ApiResult<String> {
    let u = raw.trim();
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .ok_or_else(|| ApiError::bad_input(field, "must be an http or https URL"))?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    if host.is_empty() || u.len() > 2048 || u.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(ApiError::bad_input(field, "must be an http or https URL"));
    }
    Ok(u.to_string())
}

/// Checks a `#RRGGBB` colour and upper-cases it.
pub fn color(field: &str, raw: &str) -> ApiResult<String> {
    let c = raw.trim();
    let ok = c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|ch| ch.is_ascii_hexdigit());
    if ok {
        Ok(c.to_ascii_uppercase())
    } else {
        Err(ApiError::bad_input(field, "must be a colour as #RRGGBB"))
    }
}

/// Checks an ISO 4217 currency code.
pub fn currency(field: &str, raw: &str) -> ApiResult<String> {
    let c = raw.trim().to_ascii_uppercase();
    if c.len() == 3 && c.chars().all(|ch| ch.is_ascii_uppercase()) {
        Ok(c)
    } else {
        Err(ApiError::bad_input(
            field,
            "must be an ISO 4217 currency code such as RUB",
        ))
    }
}

/// Checks the shape of an IANA time-zone name (`Europe/Moscow`, `UTC`).
pub fn timezone(field: &str, raw: &str) -> ApiResult<String> {
    let t = raw.trim();
    let ok = !t.is_empty()
        && t.len() <= 64
        && t.chars()
            .all(|c| c.is_ascii_alphanumeric() || "/_+-".contains(c))
        && t.chars().next().is_some_and(|c| c.is_ascii_uppercase());
    if ok {
        Ok(t.to_string())
    } else {
        Err(ApiError::bad_input(
            field,
            "must be an IANA time zone such as Europe/Moscow",
        ))
    }
}

/// Checks an ISO 3166-1 alpha-2 country code and upper-cases it.
pub fn country(field: &str, raw: &str) -> ApiResult<String> {
    let c = raw.trim().to_ascii_uppercase();
    if c.len() == 2 && c.chars().all(|ch| ch.is_ascii_uppercase()) {
        Ok(c)
    } else {
        Err(ApiError::bad_input(
            field,
            "must be an ISO 3166-1 alpha-2 country code such as RU",
        ))
    }
}

/// Checks an ISO 639-1 language code and lower-cases it.
pub fn language(field: &str, raw: &str) -> ApiResult<String> {
    let l = raw.trim().to_ascii_lowercase();
    if l.len() == 2 && l.chars().all(|c| c.is_ascii_lowercase()) {
        Ok(l)
    } else {
        Err(ApiError::bad_input(
            field,
            "use two-letter ISO 639-1 codes such as ru or en",
        ))
    }
}

/// Checks a tenant slug: 2 to 40 of `a-z`, `0-9` and inner `-`, and not a reserved name.
pub fn slug(field: &str, raw: &str) -> ApiResult<String> {
    const RESERVED: &[&str] = &["www", "api", "admin", "app", "mail", "static", "root"];
    let s = raw.trim().to_ascii_lowercase();
    let ok = (2..=40).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-');
    if !ok {
        return Err(ApiError::bad_input(
            field,
            "must be 2 to 40 lower-case letters, digits or inner dashes",
        ));
    }
    if RESERVED.contains(&s.as_str()) {
        return Err(ApiError::bad_input(field, "this name is reserved"));
    }
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_text_refuses_control_characters_and_paragraphs_keep_lines() {
        assert!(text("f", "Eve\r\nBcc: x", 100).is_err());
        assert!(text("f", "a\u{7}b", 100).is_err());
        assert!(opt_text("f", Some("a\tb"), 100).is_err());
        assert_eq!(text("f", "  Ann  ", 100).unwrap(), "Ann");
        assert_eq!(
            opt_paragraphs("f", Some("one\r\ntwo\tthree"), 100).unwrap(),
            Some("one\ntwo\tthree".into())
        );
        assert!(opt_paragraphs("f", Some("a\u{1b}[31m"), 100).is_err());
    }

    #[test]
    fn emails() {
        assert_eq!(email("e", " Ann@Example.COM ").unwrap(), "ann@example.com");
        for bad in [
            "", "a", "a@b", "@b.c", "a@.c", "a b@c.d", "a@c..d", ".a@b.c",
        ] {
            assert!(email("e", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn phones() {
        assert_eq!(phone("p", "+7 (999) 123-45-67").unwrap(), "+79991234567");
        for bad in ["", "89991234567", "+0123456789", "+12", "+7999abc4567"] {
            assert!(phone("p", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn colours_urls_slugs() {
        assert_eq!(color("c", "#a1b2c3").unwrap(), "#A1B2C3");
        assert!(color("c", "a1b2c3").is_err());
        assert!(color("c", "#12345g").is_err());
        assert!(url("u", "https://x.example/logo.png").is_ok());
        assert!(url("u", "javascript:alert(1)").is_err());
        assert!(url("u", "https:///nohost").is_err());
        assert_eq!(slug("s", "Acme-1").unwrap(), "acme-1");
        assert!(slug("s", "-acme").is_err());
        assert!(slug("s", "www").is_err());
        assert!(timezone("t", "Europe/Moscow").is_ok());
        assert!(timezone("t", "europe moscow").is_err());
        assert!(currency("c", "rub").is_ok());
        assert!(currency("c", "RUBL").is_err());
    }
}
