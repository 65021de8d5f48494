//! The `Language` enum of the API: ISO 639-1 codes as GraphQL values.

use async_graphql::Enum;

/// The languages the product writes in: a brand's default, a person's own.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum Language {
    /// Russian.
    Ru,
    /// English.
    En,
    /// Spanish.
    Es,
    /// Portuguese.
    Pt,
    /// Italian.
    It,
    /// German.
    De,
    /// French.
    Fr,
}

impl Language {
    /// The stored ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Language::Ru => "ru",
            Language::En => "en",
            Language::Es => "es",
            Language::Pt => "pt",
            Language::It => "it",
            Language::De => "de",
            Language::Fr => "fr",
        }
    }

    /// The language of a stored code (unknown codes read as English).
    pub fn from_code(code: &str) -> Self {
        [
            Language::Ru,
            Language::En,
            Language::Es,
            Language::Pt,
            Language::It,
            Language::De,
            Language::Fr,
        ]
        .into_iter()
        .find(|l| l.code() == code)
        .unwrap_or(Language::En)
    }
}
