//! The leads marketplace and partner certification: the public form, free leads, taking
//! and working leads, staff's view of every lead; certification tests, attempts,
//! certificates and their public verification.

pub mod loaders;
pub mod types;

use async_graphql::{Context, ID, Object};
use domain::leads::{certification as cert, market, submit};

use crate::ids::{self, Kind};
use crate::pagination::Page;
use crate::partners::PartnerPayload;
use crate::shared::Partner;
use crate::{request, services};
pub use types::*;

/// Leads and certification queries.
#[derive(Default)]
pub struct LeadQuery;

#[Object]
impl LeadQuery {
    /// Free leads of the tenant, oldest first, with their contacts hidden (members of
    /// approved partners, tenant staff). Take one with `takeLead`.
    #[allow(clippy::too_many_arguments)]
    async fn free_leads(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only from this country (ISO 3166-1 alpha-2).")] country: Option<String>,
        #[graphql(desc = "Only in this language (ISO 639-1).")] language: Option<String>,
        #[graphql(desc = "Only leads asking for every one of these features.")] features: Option<
            Vec<String>,
        >,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<Page<Lead>> {
        let filter = market::FreeFilter {
            country,
            language,
            features: features.unwrap_or_default(),
        };
        let page = market::free(
            services(ctx)?,
            request(ctx)?,
            filter,
            crate::orders::page_args(after, before, first, last),
        )
        .await?;
        Ok(crate::pagination::connection(page, Lead))
    }

    /// One lead: a free one (contacts hidden), one of the viewer's partner's, or any for
    /// tenant staff; null otherwise.
    async fn lead(&self, ctx: &Context<'_>, id: ID) -> crate::GqlResult<Option<Lead>> {
        let id = ids::decode(&id, Kind::Lead, "id")?;
        match market::get(services(ctx)?, request(ctx)?, id).await {
            Ok(v) => Ok(Some(Lead(v))),
            Err(crate::ApiError::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Every lead of the tenant with its contacts, oldest first (tenant staff).
    #[allow(clippy::too_many_arguments)]
    async fn leads(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only in this state.")] status: Option<LeadStatus>,
        #[graphql(desc = "Only held by this partner.")] partner_id: Option<ID>,
        #[graphql(desc = "true: only free leads; false: only leads a partner holds.")] free: Option<
            bool,
        >,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<Page<Lead>> {
        let filter = market::StaffFilter {
            status: status.map(Into::into),
            partner_id: partner_id
                .as_ref()
                .map(|p| ids::decode(p, Kind::Partner, "partnerId"))
                .transpose()?,
            free,
        };
        let page = market::all(
            services(ctx)?,
            request(ctx)?,
            filter,
            crate::orders::page_args(after, before, first, last),
        )
        .await?;
        Ok(crate::pagination::connection(page, Lead))
    }

    /// Certification tests: the active ones for members of approved partners, every one
    /// for tenant staff.
    async fn certification_tests(
        &self,
        ctx: &Context<'_>,
    ) -> crate::GqlResult<Vec<CertificationTest>> {
        let rows = cert::tests(services(ctx)?, request(ctx)?).await?;
        Ok(rows.into_iter().map(CertificationTest).collect())
    }

    /// The viewer's certificates, newest first.
    async fn my_certificates(&self, ctx: &Context<'_>) -> crate::GqlResult<Vec<Certificate>> {
        let rows = domain::leads::certificates::mine(services(ctx)?, request(ctx)?).await?;
        Ok(rows.into_iter().map(Certificate).collect())
    }

    /// Public: the brand's certificate with this code (any case, dashes optional), or
    /// null if there is none.
    async fn verify_certificate(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The verification code printed on the certificate.")] code: String,
    ) -> crate::GqlResult<Option<PublicCertificate>> {
        Ok(
            domain::leads::certificates::verify(services(ctx)?, request(ctx)?, &code)
                .await?
                .map(PublicCertificate),
        )
    }
}

/// Leads and certification mutations.
#[derive(Default)]
pub struct LeadMutation;

#[Object]
impl LeadMutation {
    /// Public: leaves a request on the brand's integrators page, free for every partner
    /// or addressed to one from the directory. Rate-limited per client address
    /// (`RATE_LIMITED`).
    async fn submit_lead(
        &self,
        ctx: &Context<'_>,
        input: SubmitLeadInput,
    ) -> crate::GqlResult<SubmitLeadPayload> {
        let partner_id = input
            .partner_id
            .as_ref()
            .map(|p| ids::decode(p, Kind::Partner, "partnerId"))
            .transpose()?;
        let lead = submit::NewLead {
            contact_name: input.contact_name,
            phone: input.phone,
            email: input.email,
            company: input.company,
            task: input.task,
            features: input.features,
            country: input.country,
            language: input.language,
            partner_id,
            honeypot: input.website,
        };
        submit::submit(services(ctx)?, request(ctx)?, lead).await?;
        Ok(SubmitLeadPayload { received: true })
    }

    /// Takes a free lead for the partner: of any number of partners racing, one wins; the
    /// others get `LEAD_TAKEN`. The contacts show to the taker.
    async fn take_lead(
        &self,
        ctx: &Context<'_>,
        input: TakeLeadInput,
    ) -> crate::GqlResult<LeadPayload> {
        let lead = ids::decode(&input.lead_id, Kind::Lead, "leadId")?;
        let partner = ids::decode(&input.partner_id, Kind::Partner, "partnerId")?;
        let v = domain::leads::take::take(services(ctx)?, request(ctx)?, lead, partner).await?;
        Ok(LeadPayload { lead: Lead(v) })
    }

    /// Moves the partner's lead: `NEW -> IN_WORK -> SUCCESS | FAILURE`
    /// (`WRONG_LEAD_STATE` otherwise).
    async fn set_lead_status(
        &self,
        ctx: &Context<'_>,
        input: SetLeadStatusInput,
    ) -> crate::GqlResult<LeadPayload> {
        let lead = ids::decode(&input.lead_id, Kind::Lead, "leadId")?;
        let v = domain::leads::progress::set_status(
            services(ctx)?,
            request(ctx)?,
            lead,
            input.status.into(),
        )
        .await?;
        Ok(LeadPayload { lead: Lead(v) })
    }

    /// Returns the partner's open lead to free leads (`NEW`); its contacts are hidden
    /// from the partner again, its comments stay.
    async fn release_lead(
        &self,
        ctx: &Context<'_>,
        input: LeadIdInput,
    ) -> crate::GqlResult<LeadPayload> {
        let lead = ids::decode(&input.lead_id, Kind::Lead, "leadId")?;
        let v = domain::leads::progress::release(services(ctx)?, request(ctx)?, lead).await?;
        Ok(LeadPayload { lead: Lead(v) })
    }

    /// Comments on the partner's lead (or any lead, for tenant staff).
    async fn add_lead_comment(
        &self,
        ctx: &Context<'_>,
        input: AddLeadCommentInput,
    ) -> crate::GqlResult<AddLeadCommentPayload> {
        let lead = ids::decode(&input.lead_id, Kind::Lead, "leadId")?;
        let c = domain::leads::progress::comment(services(ctx)?, request(ctx)?, lead, &input.body)
            .await?;
        Ok(AddLeadCommentPayload {
            comment: LeadComment(c),
        })
    }

    /// Tenant staff: gives an open lead to an approved partner (status `NEW`; the partner
    /// is told), or back to free leads.
    async fn reassign_lead(
        &self,
        ctx: &Context<'_>,
        input: ReassignLeadInput,
    ) -> crate::GqlResult<LeadPayload> {
        let lead = ids::decode(&input.lead_id, Kind::Lead, "leadId")?;
        let partner = input
            .partner_id
            .as_ref()
            .map(|p| ids::decode(p, Kind::Partner, "partnerId"))
            .transpose()?;
        let v =
            domain::leads::progress::reassign(services(ctx)?, request(ctx)?, lead, partner).await?;
        Ok(LeadPayload { lead: Lead(v) })
    }

    /// Tenant staff: closes an open lead as `SUCCESS` or `FAILURE`.
    async fn close_lead(
        &self,
        ctx: &Context<'_>,
        input: CloseLeadInput,
    ) -> crate::GqlResult<LeadPayload> {
        let lead = ids::decode(&input.lead_id, Kind::Lead, "leadId")?;
        let v = domain::leads::progress::close(
            services(ctx)?,
            request(ctx)?,
            lead,
            input.status.into(),
        )
        .await?;
        Ok(LeadPayload { lead: Lead(v) })
    }

    /// Tenant staff: creates or replaces a certification test.
    async fn upsert_certification_test(
        &self,
        ctx: &Context<'_>,
        input: UpsertCertificationTestInput,
    ) -> crate::GqlResult<CertificationTestPayload> {
        let t = cert::TestInput {
            id: input
                .id
                .as_ref()
                .map(|i| ids::decode(i, Kind::CertificationTest, "id"))
                .transpose()?,
            title: input.title,
            topic: input.topic,
            description: input.description,
            active: input.active,
            questions: input
                .questions
                .into_iter()
                .map(|q| cert::NewQuestion {
                    text: q.text,
                    options: q.options.into_iter().map(|o| (o.text, o.correct)).collect(),
                })
                .collect(),
        };
        let t = cert::upsert_test(services(ctx)?, request(ctx)?, t).await?;
        Ok(CertificationTestPayload {
            test: CertificationTest(t),
        })
    }

    /// Starts an attempt at an active test (or returns the open one): the questions
    /// without answers. After a submitted attempt the brand's cool-down applies
    /// (`CERTIFICATION_COOLDOWN`).
    async fn start_certification_attempt(
        &self,
        ctx: &Context<'_>,
        input: StartCertificationAttemptInput,
    ) -> crate::GqlResult<CertificationAttemptPayload> {
        let test = ids::decode(&input.test_id, Kind::CertificationTest, "testId")?;
        let a = domain::leads::attempts::start(services(ctx)?, request(ctx)?, test).await?;
        Ok(CertificationAttemptPayload {
            attempt: CertificationAttempt {
                attempt: a,
                certificate: None,
            },
        })
    }

    /// Submits the viewer's open attempt: the score, and a certificate at 90 % or more.
    async fn submit_certification_attempt(
        &self,
        ctx: &Context<'_>,
        input: SubmitCertificationAttemptInput,
    ) -> crate::GqlResult<CertificationAttemptPayload> {
        let id = ids::decode(&input.attempt_id, Kind::CertificationAttempt, "attemptId")?;
        let answers = input
            .answers
            .into_iter()
            .map(|a| (a.question_id, a.option_ids))
            .collect();
        let (a, c) =
            domain::leads::attempts::submit(services(ctx)?, request(ctx)?, id, answers).await?;
        Ok(CertificationAttemptPayload {
            attempt: CertificationAttempt {
                attempt: a,
                certificate: c,
            },
        })
    }

    /// Shows a member's valid certificate on the partner's public profile (its owners
    /// and user admins).
    async fn attach_certificate(
        &self,
        ctx: &Context<'_>,
        input: PartnerCertificateInput,
    ) -> crate::GqlResult<PartnerPayload> {
        attach(ctx, input, true).await
    }

    /// Stops showing a certificate on the partner's public profile.
    async fn detach_certificate(
        &self,
        ctx: &Context<'_>,
        input: PartnerCertificateInput,
    ) -> crate::GqlResult<PartnerPayload> {
        attach(ctx, input, false).await
    }

    /// Tenant staff: revokes a certificate (it verifies as not valid and leaves any
    /// profile).
    async fn revoke_certificate(
        &self,
        ctx: &Context<'_>,
        input: RevokeCertificateInput,
    ) -> crate::GqlResult<CertificatePayload> {
        let id = ids::decode(&input.certificate_id, Kind::Certificate, "certificateId")?;
        let c =
            domain::leads::certificates::revoke(services(ctx)?, request(ctx)?, id, input.reason)
                .await?;
        Ok(CertificatePayload {
            certificate: Certificate(c),
        })
    }
}

async fn attach(
    ctx: &Context<'_>,
    input: PartnerCertificateInput,
    on: bool,
) -> crate::GqlResult<PartnerPayload> {
    let partner = ids::decode(&input.partner_id, Kind::Partner, "partnerId")?;
    let c = ids::decode(&input.certificate_id, Kind::Certificate, "certificateId")?;
    let p =
        domain::leads::certificates::attach(services(ctx)?, request(ctx)?, partner, c, on).await?;
    Ok(PartnerPayload {
        partner: Partner::new(p),
    })
}
