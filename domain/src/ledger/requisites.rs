//! Russian bank requisites (the `RU_BANK` payout rail): the bank account of the
//! organization registered on the partner cabinet, every field checked the way Russian
//! banks check it, a wrong one answering `BAD_USER_INPUT` naming it (under `ruBank.` in
//! `savePayoutRequisites`):
//!
//! - INN: 10 digits (an organization, one check digit) or 12 (an individual entrepreneur,
//!   two); weights and `sum mod 11 mod 10` as the tax service publishes them;
//! - KPP: 9 digits, required with a 10-digit INN (individuals have none);
//! - BIC: 9 digits;
//! - settlement account: 20 digits whose key checks against the BIC's last three digits;
//! - correspondent account: 20 digits whose key checks against `0` and the BIC's fifth and
//!   sixth digits (the Central Bank's key algorithm, weights 7-1-3).

use crate::kernel::error::{ApiError, ApiResult};
use crate::kernel::validate;

/// Russian bank requisites, as entered (and, checked, as stored).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Requisites {
    pub legal_name: String,
    pub inn: String,
    pub kpp: Option<String>,
    pub bank_name: Option<String>,
    pub bic: String,
    pub settlement_account: String,
    pub correspondent_account: String,
}

/// Digits only (spaces ignored), of one of `lens` lengths.
fn digits(field: &str, raw: &str, lens: &[usize]) -> ApiResult<String> {
    let s: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if !s.chars().all(|c| c.is_ascii_digit()) || !lens.contains(&s.len()) {
        let want = lens
            .iter()
            .map(|n| n.to_string())
            .collect::<Vec<_>>()
            .join(" or ");
        return Err(ApiError::bad_input(field, format!("must be {want} digits")));
    }
    Ok(s)
}

fn d(s: &str, i: usize) -> u32 {
    s.as_bytes()[i] as u32 - b'0' as u32
}

fn weighted(s: &str, weights: &[u32]) -> u32 {
    weights.iter().enumerate().map(|(i, w)| d(s, i) * w).sum()
}

/// An INN with its check digits.
pub fn inn(raw: &str) -> ApiResult<String> {
    let s = digits("inn", raw, &[10, 12])?;
    let ok = if s.len() == 10 {
        weighted(&s, &[2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11 % 10 == d(&s, 9)
    } else {
        weighted(&s, &[7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11 % 10 == d(&s, 10)
            && weighted(&s, &[3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8]) % 11 % 10 == d(&s, 11)
    };
    if !ok {
        return Err(ApiError::bad_input(
            "inn",
            "the check digit does not match: check the INN",
        ));
    }
    Ok(s)
}

/// A KPP.
pub fn kpp(raw: &str) -> ApiResult<String> {
    digits("kpp", raw, &[9])
}

/// A BIC.
pub fn bic(raw: &str) -> ApiResult<String> {
    digits("bic", raw, &[9])
}

/// The Central Bank's key check over 23 digits.
fn key_ok(s: &str) -> bool {
    const W: [u32; 3] = [7, 1, 3];
    (0..23).map(|i| d(s, i) * W[i % 3]).sum::<u32>() % 10 == 0
}

/// A settlement account, checked against the BIC.
pub fn settlement_account(raw: &str, bic: &str) -> ApiResult<String> {
    let s = digits("settlementAccount", raw, &[20])?;
    if !key_ok(&format!("{}{s}", &bic[6..9])) {
        return Err(ApiError::bad_input(
            "settlementAccount",
            "does not match the BIC: check the account number and the BIC",
        ));
    }
    Ok(s)
}

/// A correspondent account, checked against the BIC.
pub fn correspondent_account(raw: &str, bic: &str) -> ApiResult<String> {
    let s = digits("correspondentAccount", raw, &[20])?;
    if !key_ok(&format!("0{}{s}", &bic[4..6])) {
        return Err(ApiError::bad_input(
            "correspondentAccount",
            "does not match the BIC: check the correspondent account and the BIC",
        ));
    }
    Ok(s)
}

/// Every field checked; the first wrong one answers.
pub fn check(r: &Requisites) -> ApiResult<Requisites> {
    let legal_name = validate::text("legalName", &r.legal_name, 300)?;
    let inn = inn(&r.inn)?;
    let kpp = match r.kpp.as_deref().map(str::trim).filter(|k| !k.is_empty()) {
        Some(k) => Some(kpp(k)?),
        None if inn.len() == 10 => {
            return Err(ApiError::bad_input(
                "kpp",
                "an organization (10-digit INN) needs its KPP",
            ));
        }
        None => None,
    };
    let bank_name = validate::optional("bankName", r.bank_name.as_deref(), |f, v| {
        validate::text(f, v, 300)
    })?;
    let bic = bic(&r.bic)?;
    let settlement_account = settlement_account(&r.settlement_account, &bic)?;
    let correspondent_account = correspondent_account(&r.correspondent_account, &bic)?;
    Ok(Requisites {
        legal_name,
        inn,
        kpp,
        bank_name,
        bic,
        settlement_account,
        correspondent_account,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> Requisites {
        Requisites {
            legal_name: "ООО Ромашка".into(),
            inn: "7707083893".into(),
            kpp: Some("773601001".into()),
            bank_name: Some("ПАО Сбербанк".into()),
            bic: "044525225".into(),
            settlement_account: "40702810938000012345".into(),
            correspondent_account: "30101810400000000225".into(),
        }
    }

    fn field_of(r: Requisites) -> Option<String> {
        check(&r).err().and_then(|e| e.field().map(str::to_string))
    }

    #[test]
    fn real_requisites_pass() {
        let r = check(&good()).unwrap();
        assert_eq!(r.inn, "7707083893");
        // An individual entrepreneur: 12-digit INN, no KPP.
        let ie = Requisites {
            inn: "5001 0073 2259".into(),
            kpp: None,
            ..good()
        };
        assert_eq!(check(&ie).unwrap().inn, "500100732259");
        // Another bank.
        let alfa = Requisites {
            bic: "044525593".into(),
            settlement_account: "40702810801300012345".into(),
            correspondent_account: "30101810200000000593".into(),
            ..good()
        };
        assert!(check(&alfa).is_ok());
    }

    #[test]
    fn every_wrong_field_is_named() {
        let cases: Vec<(Requisites, &str)> = vec![
            (
                Requisites {
                    legal_name: " ".into(),
                    ..good()
                },
                "legalName",
            ),
            (
                Requisites {
                    inn: "7707083894".into(),
                    ..good()
                },
                "inn",
            ),
            (
                Requisites {
                    inn: "500100732258".into(),
                    kpp: None,
                    ..good()
                },
                "inn",
            ),
            (
                Requisites {
                    inn: "77070838".into(),
                    ..good()
                },
                "inn",
            ),
            (
                Requisites {
                    inn: "77070838AB".into(),
                    ..good()
                },
                "inn",
            ),
            (
                Requisites {
                    kpp: None,
                    ..good()
                },
                "kpp",
            ),
            (
                Requisites {
                    kpp: Some("77360100".into()),
                    ..good()
                },
                "kpp",
            ),
            (
                Requisites {
                    bic: "04452522".into(),
                    ..good()
                },
                "bic",
            ),
            (
                Requisites {
                    settlement_account: "40702810038000012345".into(),
                    ..good()
                },
                "settlementAccount",
            ),
            (
                Requisites {
                    settlement_account: "4070281093800001234".into(),
                    ..good()
                },
                "settlementAccount",
            ),
            (
                Requisites {
                    correspondent_account: "30101810400000000226".into(),
                    ..good()
                },
                "correspondentAccount",
            ),
            // The right account of another bank's BIC.
            (
                Requisites {
                    bic: "044525593".into(),
                    ..good()
                },
                "settlementAccount",
            ),
        ];
        for (r, field) in cases {
            assert_eq!(field_of(r.clone()).as_deref(), Some(field), "{r:?}");
        }
    }
}
