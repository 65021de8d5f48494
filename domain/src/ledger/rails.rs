//! The accounts rewards are paid out to, on the brand's payout rail (issue 28), and the
//! checks each rail's banks make. Every wrong field answers `BAD_USER_INPUT` naming it
//! under its rail (`ruBank.inn`, `sepa.iban`, `pix.key`):
//!
//! - `RU_BANK`: Russian bank requisites, checked as in [`super::requisites`];
//! - `SEPA`: the account holder, an IBAN (length, structure and mod-97 check of its
//!   country, through the kept `iban_validate` crate) of a SEPA country, and the bank's
//!   BIC (ISO 9362: 4 letters, the country, 2 location characters, an optional branch);
//! - `PIX`: the key by its type (CPF or CNPJ with their check digits, the alphanumeric
//!   CNPJ of 2026 included; an email; a Brazilian mobile number in E.164; a random key,
//!   a UUID), the holder's name and tax id (a CPF or a CNPJ).
//!
//! The account is stored whole as JSON, tagged by its rail, and a withdrawal keeps a copy.

use iban::IbanLike;
use serde::{Deserialize, Serialize};

use super::requisites::{self, Requisites};
use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::validate;
pub use crate::tenancy::payout_rail::Rail;

/// A SEPA account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Sepa {
    pub account_holder: String,
    /// Electronic form: upper case, no spaces.
    pub iban: String,
    pub bic: String,
}

/// The kinds of Pix key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PixKeyType {
    Cpf,
    Cnpj,
    Email,
    Phone,
    Random,
}

/// A Pix key and its holder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Pix {
    pub key_type: PixKeyType,
    pub key: String,
    pub holder_name: String,
    /// The holder's CPF or CNPJ, digits (and, for a 2026 CNPJ, letters) only.
    pub tax_id: String,
}

/// A partner's payout account, on one rail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rail")]
pub enum PayoutAccount {
    #[serde(rename = "RU_BANK")]
    RuBank(Requisites),
    #[serde(rename = "SEPA")]
    Sepa(Sepa),
    #[serde(rename = "PIX")]
    Pix(Pix),
}

impl PayoutAccount {
    pub fn rail(&self) -> Rail {
        match self {
            Self::RuBank(_) => Rail::RuBank,
            Self::Sepa(_) => Rail::Sepa,
            Self::Pix(_) => Rail::Pix,
        }
    }

    /// Who is paid: the organization's legal name, the account holder.
    pub fn holder(&self) -> &str {
        match self {
            Self::RuBank(r) => &r.legal_name,
            Self::Sepa(s) => &s.account_holder,
            Self::Pix(p) => &p.holder_name,
        }
    }

    /// Every field checked, normalised; the first wrong one answers.
    pub fn checked(&self) -> ApiResult<Self> {
        Ok(match self {
            Self::RuBank(r) => Self::RuBank(requisites::check(r).map_err(|e| under("ruBank", e))?),
            Self::Sepa(s) => Self::Sepa(sepa(s)?),
            Self::Pix(p) => Self::Pix(pix(p)?),
        })
    }

    /// As stored (and kept by a withdrawal).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }

    /// A stored account; a withdrawal's copy made before rails existed has no `rail` and
    /// is Russian requisites.
    pub fn from_json(doc: &str) -> Option<Self> {
        let mut v: serde_json::Value = serde_json::from_str(doc).ok()?;
        if let Some(o) = v.as_object_mut() {
            o.entry("rail").or_insert_with(|| "RU_BANK".into());
        }
        serde_json::from_value(v).ok()
    }
}

/// `e` with its field put under `rail` (`inn` becomes `ruBank.inn`).
fn under(rail: &str, e: ApiError) -> ApiError {
    match e {
        ApiError::BadInput { field, message } => ApiError::BadInput {
            field: format!("{rail}.{field}"),
            message,
        },
        e => e,
    }
}

/// The countries of the SEPA schemes' geographical scope, as the European Payments
/// Council publishes it: the EEA, Switzerland, the United Kingdom, Monaco, San Marino,
/// Andorra, the Vatican, Gibraltar, and since 2025 Albania, Montenegro, Moldova, North
/// Macedonia and Serbia.
const SEPA_COUNTRIES: &[&str] = &[
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO", "CH", "GB",
    "MC", "SM", "AD", "VA", "GI", "AL", "ME", "MD", "MK", "RS",
];

/// Upper case, without spaces.
fn compact(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

fn sepa(s: &Sepa) -> ApiResult<Sepa> {
    // The SEPA rulebook's 70 characters for the beneficiary's name.
    let account_holder = validate::text("sepa.accountHolder", &s.account_holder, 70)?;
    let raw = compact(&s.iban);
    let iban: iban::Iban = raw.parse().map_err(|_| {
        ApiError::bad_input(
            "sepa.iban",
            "not a valid IBAN: check its length and check digits",
        )
    })?;
    if !SEPA_COUNTRIES.contains(&iban.country_code()) {
        return Err(ApiError::bad_input(
            "sepa.iban",
            format!(
                "{} is not in the SEPA area: use an account in a SEPA country",
                iban.country_code()
            ),
        ));
    }
    let bic = compact(&s.bic);
    let b = bic.as_bytes();
    let well_formed = matches!(bic.len(), 8 | 11)
        && b[..6].iter().all(u8::is_ascii_uppercase)
        && b[6..].iter().all(u8::is_ascii_alphanumeric);
    if !well_formed {
        return Err(ApiError::bad_input(
            "sepa.bic",
            "a BIC is 8 or 11 letters and digits, such as DEUTDEFF",
        ));
    }
    Ok(Sepa {
        account_holder,
        iban: iban.electronic_str().to_string(),
        bic,
    })
}

/// A CPF's 11 digits with both check digits right (all-equal numbers are not issued).
pub fn cpf_ok(s: &str) -> bool {
    let d: Vec<u32> = s.chars().filter_map(|c| c.to_digit(10)).collect();
    if d.len() != 11 || s.len() != 11 || d.iter().all(|x| *x == d[0]) {
        return false;
    }
    let check = |n: usize| {
        let sum: u32 = (0..n).map(|i| d[i] * (n as u32 + 1 - i as u32)).sum();
        (sum * 10 % 11) % 10
    };
    check(9) == d[9] && check(10) == d[10]
}

/// A CNPJ's 14 characters with both check digits right: 12 digits or, since 2026,
/// upper-case letters (each counted as its ASCII code minus 48), then two digits.
pub fn cnpj_ok(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 14
        || !b[..12]
            .iter()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase())
        || !b[12..].iter().all(u8::is_ascii_digit)
        || b.iter().all(|c| *c == b[0])
    {
        return false;
    }
    let v: Vec<u32> = b.iter().map(|c| u32::from(*c) - 48).collect();
    let check = |n: usize| {
        // Weights 2..9 from the right, repeating.
        let sum: u32 = (0..n).map(|i| v[n - 1 - i] * (2 + (i as u32 % 8))).sum();
        match sum % 11 {
            0 | 1 => 0,
            r => 11 - r,
        }
    };
    check(12) == v[12] && check(13) == v[13]
}

/// A CPF or CNPJ without its punctuation (`123.456.789-09`, `12.ABC.345/01DE-35`).
fn tax_number(raw: &str) -> String {
    compact(raw)
        .chars()
        .filter(|c| !matches!(c, '.' | '-' | '/'))
        .collect()
}

fn pix(p: &Pix) -> ApiResult<Pix> {
    let holder_name = validate::text("pix.holderName", &p.holder_name, 140)?;
    let tax_id = tax_number(&p.tax_id);
    if !cpf_ok(&tax_id) && !cnpj_ok(&tax_id) {
        return Err(ApiError::bad_input(
            "pix.taxId",
            "not a valid CPF or CNPJ: check the number and its check digits",
        ));
    }
    let refused = |m: &str| Err(ApiError::bad_input("pix.key", m));
    let key = match p.key_type {
        PixKeyType::Cpf => match tax_number(&p.key) {
            k if cpf_ok(&k) => k,
            _ => return refused("not a valid CPF: check the number and its check digits"),
        },
        PixKeyType::Cnpj => match tax_number(&p.key) {
            k if cnpj_ok(&k) => k,
            _ => return refused("not a valid CNPJ: check the number and its check digits"),
        },
        PixKeyType::Email => validate::email("pix.key", &p.key)?,
        PixKeyType::Phone => {
            let k: String = p.key.chars().filter(|c| !" ()-".contains(*c)).collect();
            let digits = k.strip_prefix("+55").unwrap_or("");
            // +55, a two-digit area code (11 to 99), then a 9-digit mobile number.
            let ok = digits.len() == 11
                && digits.chars().all(|c| c.is_ascii_digit())
                && !digits.starts_with('0')
                && !digits[1..2].starts_with('0')
                && digits[2..3] == *"9";
            if !ok {
                return refused("a Brazilian mobile number as +55 DD 9XXXX-XXXX");
            }
            k
        }
        PixKeyType::Random => match uuid::Uuid::try_parse(p.key.trim()) {
            Ok(u) => u.hyphenated().to_string(),
            Err(_) => {
                return refused(
                    "a random key is a UUID, such as 123e4567-e89b-12d3-a456-426614174000",
                );
            }
        },
    };
    Ok(Pix {
        key_type: p.key_type,
        key,
        holder_name,
        tax_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpf_and_cnpj_check_digits() {
        assert!(cpf_ok("52998224725"));
        assert!(!cpf_ok("52998224726"));
        assert!(!cpf_ok("11111111111"));
        assert!(!cpf_ok("5299822472"));
        assert!(cnpj_ok("11222333000181"));
        assert!(!cnpj_ok("11222333000182"));
        // The alphanumeric CNPJ of 2026 (the tax service's own example).
        assert!(cnpj_ok("12ABC34501DE35"));
        assert!(!cnpj_ok("12ABC34501DE36"));
        assert!(!cnpj_ok("12abc34501DE35"));
        assert!(!cnpj_ok("00000000000000"));
    }

    /// What the migration writes for requisites saved before rails (`json_object` on
    /// SQLite, `json_build_object` on PostgreSQL: these keys, `null` for an empty KPP) and
    /// what a withdrawal kept before rails (no `rail`) both read as Russian requisites.
    #[test]
    fn accounts_stored_before_rails_read_back() {
        let migrated = r#"{"rail": "RU_BANK", "legalName": "ИП Петров", "inn": "500100732259", "kpp": null,
            "bankName": null, "bic": "044525225", "settlementAccount": "40702810938000012345",
            "correspondentAccount": "30101810400000000225"}"#;
        let a = PayoutAccount::from_json(migrated).expect("reads");
        assert_eq!(a.rail(), Rail::RuBank);
        assert_eq!(a.holder(), "ИП Петров");
        let kept = r#"{"legalName": "ООО Ромашка", "inn": "7707083893", "kpp": "773601001",
            "bankName": "ПАО Сбербанк", "bic": "044525225", "settlementAccount": "40702810938000012345",
            "correspondentAccount": "30101810400000000225"}"#;
        let PayoutAccount::RuBank(r) = PayoutAccount::from_json(kept).expect("reads") else {
            panic!("Russian requisites");
        };
        assert_eq!(r.kpp.as_deref(), Some("773601001"));
        // And what is stored now reads back as it was.
        let sepa = PayoutAccount::Sepa(Sepa {
            account_holder: "A".into(),
            iban: "DE89370400440532013000".into(),
            bic: "COBADEFFXXX".into(),
        });
        assert_eq!(PayoutAccount::from_json(&sepa.to_json()), Some(sepa));
        assert_eq!(PayoutAccount::from_json("{"), None);
    }
}
