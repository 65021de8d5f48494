//! GraphQL of a partner's payout account on the brand's rail (issue 28): the saved one
//! (`Partner.payoutRequisites`), the one a withdrawal is paid to (`Withdrawal.requisites`)
//! and `savePayoutRequisites`' input, which takes exactly one of `ruBank`, `sepa`, `pix`.

use async_graphql::{Enum, ID, InputObject, SimpleObject, Union};
use domain::ledger::rails::{self, PayoutAccount, PixKeyType as Kt};
use domain::ledger::requisites::Requisites;

use crate::ApiError;
use crate::ids::{self, Kind};

/// The account rewards are paid to, on the brand's rail.
#[derive(Union)]
pub enum PayoutRequisites {
    RuBank(RuBankRequisites),
    Sepa(SepaRequisites),
    Pix(PixRequisites),
}

impl From<PayoutAccount> for PayoutRequisites {
    fn from(a: PayoutAccount) -> Self {
        match a {
            PayoutAccount::RuBank(r) => Self::RuBank(RuBankRequisites {
                legal_name: r.legal_name,
                inn: r.inn,
                kpp: r.kpp,
                bank_name: r.bank_name,
                bic: r.bic,
                settlement_account: r.settlement_account,
                correspondent_account: r.correspondent_account,
                updated_at: None,
            }),
            PayoutAccount::Sepa(s) => Self::Sepa(SepaRequisites {
                account_holder: s.account_holder,
                iban: s.iban,
                bic: s.bic,
                updated_at: None,
            }),
            PayoutAccount::Pix(p) => Self::Pix(PixRequisites {
                key_type: p.key_type.into(),
                key: p.key,
                holder_name: p.holder_name,
                tax_id: p.tax_id,
                updated_at: None,
            }),
        }
    }
}

impl From<domain::ledger::payout_accounts::Saved> for PayoutRequisites {
    fn from(saved: domain::ledger::payout_accounts::Saved) -> Self {
        let at = Some(saved.updated_at);
        match Self::from(saved.account) {
            Self::RuBank(r) => Self::RuBank(RuBankRequisites {
                updated_at: at,
                ..r
            }),
            Self::Sepa(s) => Self::Sepa(SepaRequisites {
                updated_at: at,
                ..s
            }),
            Self::Pix(p) => Self::Pix(PixRequisites {
                updated_at: at,
                ..p
            }),
        }
    }
}

/// A Russian bank account (the `RU_BANK` rail).
#[derive(SimpleObject)]
pub struct RuBankRequisites {
    /// The organization's legal name.
    pub legal_name: String,
    /// INN (10 digits for an organization, 12 for an individual entrepreneur).
    pub inn: String,
    /// KPP (organizations).
    pub kpp: Option<String>,
    /// The bank's name.
    pub bank_name: Option<String>,
    /// The bank's BIC (9 digits).
    pub bic: String,
    /// The settlement account (20 digits).
    pub settlement_account: String,
    /// The bank's correspondent account (20 digits).
    pub correspondent_account: String,
    /// When it was last saved (null on a withdrawal's copy).
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A SEPA account (the `SEPA` rail).
#[derive(SimpleObject)]
pub struct SepaRequisites {
    /// The account holder.
    pub account_holder: String,
    /// The IBAN, electronic form (no spaces).
    pub iban: String,
    /// The bank's BIC (8 or 11 characters).
    pub bic: String,
    /// When it was last saved (null on a withdrawal's copy).
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The kinds of Pix key.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "domain::ledger::rails::PixKeyType")]
pub enum PixKeyType {
    /// A person's CPF (11 digits).
    Cpf,
    /// A company's CNPJ (14 characters; letters allowed since 2026).
    Cnpj,
    /// An email address.
    Email,
    /// A Brazilian mobile number, `+55` and 11 digits.
    Phone,
    /// A random key (a UUID).
    Random,
}

/// A Pix key (the `PIX` rail).
#[derive(SimpleObject)]
pub struct PixRequisites {
    pub key_type: PixKeyType,
    /// The key, normalised (a CPF or CNPJ without punctuation, a phone as `+55…`).
    pub key: String,
    /// The holder's name.
    pub holder_name: String,
    /// The holder's CPF or CNPJ, without punctuation.
    pub tax_id: String,
    /// When it was last saved (null on a withdrawal's copy).
    pub updated_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Input of `savePayoutRequisites`: the partner, and its account on the brand's rail
/// (exactly one of `ruBank`, `sepa`, `pix`; another rail than the brand's is refused on
/// its field). Each wrong field answers `BAD_USER_INPUT` naming it, such as `sepa.iban`.
#[derive(InputObject)]
pub struct SavePayoutRequisitesInput {
    /// The partner.
    pub partner_id: ID,
    /// A Russian bank account.
    pub ru_bank: Option<RuBankRequisitesInput>,
    /// A SEPA account.
    pub sepa: Option<SepaRequisitesInput>,
    /// A Pix key.
    pub pix: Option<PixRequisitesInput>,
}

/// A Russian bank account.
#[derive(InputObject)]
pub struct RuBankRequisitesInput {
    /// The organization's legal name.
    pub legal_name: String,
    /// INN: 10 digits (organization) or 12 (individual entrepreneur), checksum checked.
    pub inn: String,
    /// KPP: 9 digits, required with a 10-digit INN.
    pub kpp: Option<String>,
    /// The bank's name.
    pub bank_name: Option<String>,
    /// The bank's BIC: 9 digits.
    pub bic: String,
    /// The settlement account: 20 digits, checked against the BIC.
    pub settlement_account: String,
    /// The correspondent account: 20 digits, checked against the BIC.
    pub correspondent_account: String,
}

/// A SEPA account.
#[derive(InputObject)]
pub struct SepaRequisitesInput {
    /// The account holder.
    pub account_holder: String,
    /// An IBAN of a SEPA country (spaces allowed), its check digits checked.
    pub iban: String,
    /// The bank's BIC: 8 or 11 characters.
    pub bic: String,
}

/// A Pix key.
#[derive(InputObject)]
pub struct PixRequisitesInput {
    pub key_type: PixKeyType,
    /// The key, as its type writes it (punctuation allowed in a CPF, CNPJ or phone).
    pub key: String,
    /// The holder's name.
    pub holder_name: String,
    /// The holder's CPF or CNPJ, check digits checked.
    pub tax_id: String,
}

impl SavePayoutRequisitesInput {
    /// The partner's id and the account given.
    pub fn into_account(self) -> crate::ApiResult<(i64, PayoutAccount)> {
        let id = ids::decode(&self.partner_id, Kind::Partner, "partnerId")?;
        let account = match (self.ru_bank, self.sepa, self.pix) {
            (Some(r), None, None) => PayoutAccount::RuBank(Requisites {
                legal_name: r.legal_name,
                inn: r.inn,
                kpp: r.kpp,
                bank_name: r.bank_name,
                bic: r.bic,
                settlement_account: r.settlement_account,
                correspondent_account: r.correspondent_account,
            }),
            (None, Some(s), None) => PayoutAccount::Sepa(rails::Sepa {
                account_holder: s.account_holder,
                iban: s.iban,
                bic: s.bic,
            }),
            (None, None, Some(p)) => PayoutAccount::Pix(rails::Pix {
                key_type: Kt::from(p.key_type),
                key: p.key,
                holder_name: p.holder_name,
                tax_id: p.tax_id,
            }),
            _ => {
                return Err(ApiError::bad_input(
                    "requisites",
                    "give exactly one of ruBank, sepa or pix: the brand's rail",
                ));
            }
        };
        Ok((id, account))
    }
}
