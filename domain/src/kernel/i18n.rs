//! Every text the product writes for a person, in that person's language: Project Fluent
//! message catalogs (`domain/locales/<language>/main.ftl`), embedded in the binary by
//! `fluent-templates`, with CLDR plural rules ("1 день", "3 дня", "7 дней"); and money and
//! dates written the way each language writes them (`116 400,00 ₽`, `R$ 1.234,56`,
//! `24 ноября 2026`). A message missing in one language falls back to English at run
//! time, and a test fails on it before that can ship. API error messages are not here:
//! they stay English (codes are the contract).

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use fluent_templates::fluent_bundle::FluentValue;
use fluent_templates::{LanguageIdentifier, Loader};

fluent_templates::static_loader! {
    static LOCALES = {
        locales: "./locales",
        fallback_language: "en",
        // No Unicode isolation marks around variables: emails and Telegram messages are
        // plain text, where they would show up as stray characters.
        customise: |bundle| bundle.set_use_isolating(false),
    };
}

/// The languages with a catalog; any other code reads English.
pub const LANGUAGES: [&str; 7] = ["en", "ru", "es", "pt", "it", "de", "fr"];

/// A language with a catalog: `code` if it has one, else English.
pub fn supported(code: &str) -> &'static str {
    let code = code.get(..2).unwrap_or(code).to_ascii_lowercase();
    LANGUAGES.into_iter().find(|l| *l == code).unwrap_or("en")
}

fn id(lang: &str) -> LanguageIdentifier {
    supported(lang)
        .parse()
        .unwrap_or_else(|_| LanguageIdentifier::default())
}

/// A value put into a message.
pub enum Arg<'a> {
    Text(Cow<'a, str>),
    Number(i64),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Text(Cow::Borrowed(s.as_str()))
    }
}

impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Text(Cow::Owned(s))
    }
}

impl From<i64> for Arg<'_> {
    fn from(n: i64) -> Self {
        Arg::Number(n)
    }
}

impl From<i32> for Arg<'_> {
    fn from(n: i32) -> Self {
        Arg::Number(n.into())
    }
}

impl From<u64> for Arg<'_> {
    fn from(n: u64) -> Self {
        Arg::Number(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// The message `key` in `lang`, without variables.
pub fn t(lang: &str, key: &str) -> String {
    LOCALES.lookup(&id(lang), key)
}

/// The message `key` in `lang` with `args` put in.
pub fn tr(lang: &str, key: &str, args: &[(&'static str, Arg<'_>)]) -> String {
    let map: HashMap<Cow<'static, str>, FluentValue<'_>> = args
        .iter()
        .map(|(name, value)| {
            let v = match value {
                Arg::Text(s) => FluentValue::from(s.to_string()),
                Arg::Number(n) => FluentValue::from(*n),
            };
            (Cow::Borrowed(*name), v)
        })
        .collect();
    // `lookup_with_args` wants `'static` values; the strings are owned above.
    let map: HashMap<Cow<'static, str>, FluentValue<'static>> =
        map.into_iter().map(|(k, v)| (k, v.into_owned())).collect();
    LOCALES.lookup_with_args(&id(lang), key, &map)
}

/// What `t` and `tr` answer for a message no catalog has: the tests look for it.
pub const UNKNOWN: &str = "Unknown localization";

/// The catalog file of `lang`, as written (for the tests that compare catalogs).
#[cfg(test)]
pub fn source(lang: &str) -> Option<&'static str> {
    Some(match lang {
        "en" => include_str!("../../locales/en/main.ftl"),
        "ru" => include_str!("../../locales/ru/main.ftl"),
        "es" => include_str!("../../locales/es/main.ftl"),
        "pt" => include_str!("../../locales/pt/main.ftl"),
        "it" => include_str!("../../locales/it/main.ftl"),
        "de" => include_str!("../../locales/de/main.ftl"),
        "fr" => include_str!("../../locales/fr/main.ftl"),
        _ => return None,
    })
}

/// `at` written the way `lang` writes dates (the catalog's `date-time-format`, month
/// names from the locale data), in UTC.
pub fn date_time(lang: &str, at: DateTime<Utc>) -> String {
    let lang = supported(lang);
    let locale = match lang {
        "ru" => chrono::Locale::ru_RU,
        "es" => chrono::Locale::es_ES,
        "pt" => chrono::Locale::pt_BR,
        "it" => chrono::Locale::it_IT,
        "de" => chrono::Locale::de_DE,
        "fr" => chrono::Locale::fr_FR,
        _ => chrono::Locale::en_GB,
    };
    let pattern = t(lang, "date-time-format");
    let mut out = String::new();
    // A pattern chrono cannot read (a translator's slip) falls back to ISO 8601.
    if std::fmt::write(
        &mut out,
        format_args!("{}", at.format_localized(&pattern, locale)),
    )
    .is_err()
    {
        return at.format("%Y-%m-%d %H:%M UTC").to_string();
    }
    out
}

/// How a language writes an amount: group and decimal separators, whether the currency
/// comes first, and the space between them (a no-break space where the language puts
/// one).
struct NumberStyle {
    group: &'static str,
    decimal: char,
    symbol_first: bool,
    gap: &'static str,
    /// Spanish leaves four-digit amounts ungrouped (CLDR minimum grouping digits 2).
    min_grouping: usize,
}

fn style(lang: &str) -> NumberStyle {
    const NBSP: &str = "\u{a0}";
    match supported(lang) {
        "ru" | "fr" => NumberStyle {
            group: NBSP,
            decimal: ',',
            symbol_first: false,
            gap: NBSP,
            min_grouping: 1,
        },
        "pt" => NumberStyle {
            group: ".",
            decimal: ',',
            symbol_first: true,
            gap: NBSP,
            min_grouping: 1,
        },
        "es" => NumberStyle {
            group: ".",
            decimal: ',',
            symbol_first: false,
            gap: NBSP,
            min_grouping: 2,
        },
        "it" | "de" => NumberStyle {
            group: ".",
            decimal: ',',
            symbol_first: false,
            gap: NBSP,
            min_grouping: 1,
        },
        _ => NumberStyle {
            group: ",",
            decimal: '.',
            symbol_first: true,
            gap: "",
            min_grouping: 1,
        },
    }
}

/// The sign of a currency where it has a common one, else its ISO code.
fn symbol(currency: &str) -> (&str, bool) {
    match currency {
        "RUB" => ("₽", true),
        "BRL" => ("R$", true),
        "USD" => ("$", true),
        "EUR" => ("€", true),
        "GBP" => ("£", true),
        "KZT" => ("₸", true),
        "UAH" => ("₴", true),
        other => (other, false),
    }
}

/// An amount of `minor` units of `currency` written the way `lang` writes money:
/// `116 400,00 ₽` (ru), `R$ 1.234,56` (pt), `1234,56 €` (es), `₽116,400.00` (en).
pub fn money(lang: &str, minor: i64, currency: &str) -> String {
    let amount = entities::money::from_minor(minor, currency);
    let st = style(lang);
    let plain = amount.abs().to_string();
    let (whole, fraction) = plain.split_once('.').unwrap_or((&plain, ""));
    let digits: Vec<char> = whole.chars().collect();
    let mut grouped = String::new();
    let group = digits.len() > 3 + (st.min_grouping - 1);
    for (i, c) in digits.iter().enumerate() {
        if group && i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push_str(st.group);
        }
        grouped.push(*c);
    }
    if !fraction.is_empty() {
        grouped.push(st.decimal);
        grouped.push_str(fraction);
    }
    let sign = if amount.is_sign_negative() && !amount.is_zero() {
        "-"
    } else {
        ""
    };
    let (sym, is_sign) = symbol(currency);
    // An ISO code is always set apart by a space; a sign only where the language says.
    let gap = if is_sign {
        st.gap
    } else if st.gap.is_empty() {
        "\u{a0}"
    } else {
        st.gap
    };
    if st.symbol_first {
        format!("{sign}{sym}{gap}{grouped}")
    } else {
        format!("{sign}{grouped}{gap}{sym}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const NBSP: char = '\u{a0}';

    #[test]
    fn money_is_written_the_way_each_language_writes_it() {
        let ru = money("ru", 11_640_000, "RUB");
        assert_eq!(ru, format!("116{NBSP}400,00{NBSP}₽"));
        assert_eq!(money("pt", 123_456, "BRL"), format!("R${NBSP}1.234,56"));
        assert_eq!(money("en", 11_640_000, "RUB"), "₽116,400.00");
        assert_eq!(money("en", 123_456, "USD"), "$1,234.56");
        assert_eq!(money("es", 123_456, "EUR"), format!("1234,56{NBSP}€"));
        assert_eq!(money("es", 1_234_567, "EUR"), format!("12.345,67{NBSP}€"));
        assert_eq!(money("de", 123_456, "EUR"), format!("1.234,56{NBSP}€"));
        assert_eq!(money("en", 500, "CHF"), format!("CHF{NBSP}5.00"));
        assert_eq!(money("ru", -150, "RUB"), format!("-1,50{NBSP}₽"));
        assert_eq!(money("ru", 99, "RUB"), format!("0,99{NBSP}₽"));
    }

    #[test]
    fn dates_use_the_languages_month_names() {
        let at = Utc.with_ymd_and_hms(2026, 11, 24, 12, 5, 0).unwrap();
        assert_eq!(date_time("ru", at), "24 ноября 2026, 12:05 UTC");
        assert_eq!(date_time("en", at), "24 November 2026, 12:05 UTC");
        assert_eq!(date_time("pt", at), "24 de novembro de 2026, 12:05 UTC");
        assert_eq!(date_time("xx", at), date_time("en", at));
    }

    #[test]
    fn russian_plurals_follow_the_cldr_rules() {
        let days = |n: i64| {
            tr(
                "ru",
                "line-expiring-title",
                &[("number", 7.into()), ("days", n.into())],
            )
        };
        assert!(days(1).ends_with("1 день"), "{}", days(1));
        assert!(days(3).ends_with("3 дня"), "{}", days(3));
        assert!(days(7).ends_with("7 дней"), "{}", days(7));
        assert!(days(21).ends_with("21 день"), "{}", days(21));
        assert!(days(12).ends_with("12 дней"), "{}", days(12));
        let en = |n: i64| {
            tr(
                "en",
                "line-expiring-title",
                &[("number", 7.into()), ("days", n.into())],
            )
        };
        assert_eq!(en(1), "Line 7 expires in 1 day");
        assert_eq!(en(3), "Line 7 expires in 3 days");
    }

    /// Each message of a catalog and the variables it uses, from the source.
    fn messages(
        src: &str,
    ) -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
        let mut out = std::collections::BTreeMap::new();
        let mut current: Option<String> = None;
        for line in src.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let starts_message = line.starts_with(|c: char| c.is_ascii_alphabetic());
            if starts_message {
                let (id, _) = line.split_once('=').expect("a message is `id = ...`");
                current = Some(id.trim().to_string());
                out.insert(id.trim().to_string(), std::collections::BTreeSet::new());
            }
            let id = current.clone().expect("text belongs to a message");
            let vars = out.get_mut(&id).unwrap();
            // Select keys (`[OWNER]`, `*[other]`) count too: a translation must keep them.
            if let Some(key) = line
                .trim_start()
                .trim_start_matches('*')
                .strip_prefix('[')
                .and_then(|k| k.split_once(']'))
                .map(|(k, _)| k)
                && !k_is_plural(key)
            {
                vars.insert(format!("[{key}]"));
            }
            for part in line.split('$').skip(1) {
                let name: String = part
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
                    .collect();
                vars.insert(name);
            }
        }
        out
    }

    /// Plural categories differ by language (Russian has `few` and `many`); other keys
    /// must be the same everywhere.
    fn k_is_plural(key: &str) -> bool {
        matches!(key, "zero" | "one" | "two" | "few" | "many" | "other")
    }

    #[test]
    fn every_language_has_every_message_with_the_same_variables() {
        use fluent_templates::fluent_bundle::FluentResource;
        let english = messages(source("en").unwrap());
        assert!(english.len() > 50, "{} messages", english.len());
        for lang in LANGUAGES {
            let src = source(lang).unwrap_or_else(|| panic!("no catalog for {lang}"));
            if let Err((_, errors)) = FluentResource::try_new(src.to_string()) {
                panic!("{lang}: the catalog does not parse: {errors:?}");
            }
            let theirs = messages(src);
            let missing: Vec<_> = english
                .keys()
                .filter(|k| !theirs.contains_key(*k))
                .collect();
            let extra: Vec<_> = theirs
                .keys()
                .filter(|k| !english.contains_key(*k))
                .collect();
            assert!(missing.is_empty(), "{lang} lacks {missing:?}");
            assert!(extra.is_empty(), "{lang} has unknown {extra:?}");
            for (id, vars) in &english {
                assert_eq!(&theirs[id], vars, "{lang}: {id} uses other variables");
            }
        }
    }

    #[test]
    fn an_unknown_language_reads_english() {
        assert_eq!(supported("zz"), "en");
        assert_eq!(supported("ru-RU"), "ru");
        assert_eq!(t("zz", "reset-action"), t("en", "reset-action"));
    }
}
