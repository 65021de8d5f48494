//! Leads and certification in GraphQL: leads with their contacts shown or hidden as the
//! domain decides, comments, tests (with their answers for staff only), attempts (never
//! with answers), certificates, and the inputs of their mutations.

use std::sync::Arc;

use async_graphql::{Context, Enum, ID, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use domain::leads::LeadView;
use domain::leads::certification as cert;
use entities::{certificate, certification_attempt, certification_test, lead_comment, partner};

use super::loaders::loaders;
use crate::ApiError;
use crate::identity::loaders::loaders as identity_loaders;
use crate::ids::{self, Kind};
use crate::ledger::loaders::loaders as ledger_loaders;
use crate::{request, services};

/// Where a lead stands.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
#[graphql(remote = "entities::lead::LeadStatus")]
pub enum LeadStatus {
    /// Not worked yet (free, just taken, or addressed to a partner).
    New,
    /// The partner is in touch with the client.
    InWork,
    /// Done: the client's task was carried out.
    Success,
    /// Closed without success.
    Failure,
}

/// A request left on the public integrators page. Its contacts (full name, phone, email)
/// and comments show to the members of the partner holding it and to tenant staff;
/// everyone else reads the name's initial, and null for the rest.
pub struct Lead(pub LeadView);

#[Object]
impl Lead {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Lead, self.0.lead.id)
    }
    /// Per-tenant number shown to people.
    async fn number(&self) -> i64 {
        self.0.lead.lead_number
    }
    /// Where it stands.
    async fn status(&self) -> LeadStatus {
        self.0.lead.status.into()
    }
    /// Whether the viewer may read the contacts and comments.
    async fn contacts_visible(&self) -> bool {
        self.0.contacts
    }
    /// The contact's name in full, or only its initial ("I.") while hidden.
    async fn contact_name(&self) -> String {
        self.0.contact_name()
    }
    /// Phone (E.164); null while hidden.
    async fn phone(&self) -> Option<&str> {
        self.0.contacts.then_some(self.0.lead.phone.as_str())
    }
    /// Email; null while hidden.
    async fn email(&self) -> Option<&str> {
        self.0.contacts.then_some(self.0.lead.email.as_str())
    }
    /// The client's company.
    async fn company(&self) -> Option<&str> {
        self.0.lead.company.as_deref()
    }
    /// What the client wants done.
    async fn task(&self) -> &str {
        &self.0.lead.task
    }
    /// The features the client wants.
    async fn features(&self) -> Vec<String> {
        domain::leads::features(&self.0.lead)
    }
    /// Country (ISO 3166-1 alpha-2).
    async fn country(&self) -> Option<&str> {
        self.0.lead.country.as_deref()
    }
    /// The language the client speaks (ISO 639-1).
    async fn language(&self) -> Option<&str> {
        self.0.lead.language.as_deref()
    }
    /// Whether the client chose the partner holding it in the directory.
    async fn addressed(&self) -> bool {
        self.0.lead.addressed_partner_id.is_some()
            && self.0.lead.addressed_partner_id == self.0.lead.partner_id
    }
    /// The partner holding it; null for a free lead, and while hidden.
    async fn partner_id(&self) -> Option<ID> {
        self.0
            .contacts
            .then_some(self.0.lead.partner_id)
            .flatten()
            .map(|p| ids::encode(Kind::Partner, p))
    }
    /// The name of the partner holding it; null for a free lead, and while hidden.
    async fn partner_name(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<String>> {
        let Some(p) = self.0.contacts.then_some(self.0.lead.partner_id).flatten() else {
            return Ok(None);
        };
        Ok(ledger_loaders(ctx)?
            .partner_names
            .load_one(p)
            .await
            .map_err(ApiError::from)?)
    }
    /// When the partner holding it took it (or it was addressed to them).
    async fn taken_at(&self) -> Option<DateTime<Utc>> {
        self.0.contacts.then_some(self.0.lead.taken_at).flatten()
    }
    /// When it was closed (`SUCCESS` or `FAILURE`).
    async fn closed_at(&self) -> Option<DateTime<Utc>> {
        self.0.lead.closed_at
    }
    /// When the client left it.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.lead.created_at
    }
    /// The comments, oldest first; they stay with the lead whoever holds it. Null while
    /// hidden.
    async fn comments(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<Vec<LeadComment>>> {
        if !self.0.contacts {
            return Ok(None);
        }
        let rows = loaders(ctx)?
            .comments
            .load_one(self.0.lead.id)
            .await
            .map_err(ApiError::from)?
            .unwrap_or_default();
        Ok(Some(rows.into_iter().map(LeadComment).collect()))
    }
}

/// A comment on a lead.
pub struct LeadComment(pub lead_comment::Model);

#[Object]
impl LeadComment {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::LeadComment, self.0.id)
    }
    /// The text.
    async fn body(&self) -> &str {
        &self.0.body
    }
    /// Who wrote it (their name; "a deleted account" once it is gone).
    async fn author_name(&self, ctx: &Context<'_>) -> crate::GqlResult<String> {
        let Some(uid) = self.0.author_user_id else {
            return Ok("a deleted account".into());
        };
        Ok(identity_loaders(ctx)?
            .users
            .load_one(uid)
            .await
            .map_err(ApiError::from)?
            .map(|u| u.display_name)
            .unwrap_or_else(|| "a deleted account".into()))
    }
    /// The partner the author wrote for; null: tenant staff.
    async fn partner_name(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<String>> {
        let Some(p) = self.0.author_partner_id else {
            return Ok(None);
        };
        Ok(ledger_loaders(ctx)?
            .partner_names
            .load_one(p)
            .await
            .map_err(ApiError::from)?)
    }
    /// When it was written.
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// The leads field of `Partner` (assembled in `hub::PartnerObject`).
pub struct PartnerLeads(pub Arc<partner::Model>);

#[Object]
impl PartnerLeads {
    /// "My leads": the leads the partner holds (taken from free leads, or addressed to
    /// it), oldest first, with their contacts (its members, tenant staff).
    async fn leads(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only in this state.")] status: Option<LeadStatus>,
        #[graphql(desc = "Items after this cursor.")] after: Option<String>,
        #[graphql(desc = "Items before this cursor.")] before: Option<String>,
        #[graphql(desc = "At most this many from the start (default 50, at most 100).")]
        first: Option<i32>,
        #[graphql(desc = "At most this many from the end (at most 100).")] last: Option<i32>,
    ) -> crate::GqlResult<crate::pagination::Page<Lead>> {
        let page = domain::leads::market::of_partner(
            services(ctx)?,
            request(ctx)?,
            &self.0,
            status.map(Into::into),
            crate::orders::page_args(after, before, first, last),
        )
        .await?;
        Ok(crate::pagination::connection(page, Lead))
    }
}

/// The certificates field of `PartnerProfile` (assembled in
/// `hub::PartnerProfileObject`).
pub struct ProfileCertificates(pub i64);

#[Object]
impl ProfileCertificates {
    /// The platform's certificates the partner attached: valid ones, each checkable by
    /// its code.
    async fn certificates(&self, ctx: &Context<'_>) -> crate::GqlResult<Vec<PublicCertificate>> {
        Ok(loaders(ctx)?
            .profile_certificates
            .load_one(self.0)
            .await
            .map_err(ApiError::from)?
            .unwrap_or_default()
            .into_iter()
            .map(PublicCertificate)
            .collect())
    }
}

/// A certification test. Its questions with their answers are for tenant staff only.
pub struct CertificationTest(pub certification_test::Model);

#[Object]
impl CertificationTest {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::CertificationTest, self.0.id)
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.0.title
    }
    /// The platform topic it covers.
    async fn topic(&self) -> &str {
        &self.0.topic
    }
    /// What it is about.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// Whether partners see and take it.
    async fn active(&self) -> bool {
        self.0.active
    }
    /// How many questions it has.
    async fn question_count(&self) -> i32 {
        cert::questions(&self.0.questions).len() as i32
    }
    /// The share of questions to answer right for a certificate, in percent.
    async fn pass_percent(&self) -> i32 {
        cert::PASS_PERCENT as i32
    }
    /// The questions with their correct options (tenant staff only).
    async fn questions(&self, ctx: &Context<'_>) -> crate::GqlResult<Vec<CertificationQuestion>> {
        Ok(cert::answer_key(request(ctx)?, &self.0)?
            .into_iter()
            .map(CertificationQuestion)
            .collect())
    }
    /// When the viewer may start the next attempt; null: now.
    async fn next_attempt_at(&self, ctx: &Context<'_>) -> crate::GqlResult<Option<DateTime<Utc>>> {
        let svc = services(ctx)?;
        Ok(domain::leads::attempts::next_attempt_at(
            &svc.db,
            request(ctx)?,
            self.0.id,
            svc.clock.now(),
        )
        .await?)
    }
    /// When it was last changed.
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A question with its answer key (tenant staff).
pub struct CertificationQuestion(pub cert::Question);

#[Object]
impl CertificationQuestion {
    /// Its id within the test (`Q1`, ...).
    async fn id(&self) -> &str {
        &self.0.id
    }
    /// The question.
    async fn text(&self) -> &str {
        &self.0.text
    }
    /// The options and which are correct.
    async fn options(&self) -> Vec<CertificationOption> {
        self.0
            .options
            .iter()
            .map(|o| CertificationOption {
                id: o.id.clone(),
                text: o.text.clone(),
                correct: self.0.correct.contains(&o.id),
            })
            .collect()
    }
}

/// An option with whether it is correct (tenant staff).
#[derive(SimpleObject)]
pub struct CertificationOption {
    /// Its id within the test (`Q1A`, ...).
    pub id: String,
    /// The option.
    pub text: String,
    /// Whether choosing it is part of the right answer.
    pub correct: bool,
}

/// A question as a partner taking the test reads it: no answers. Choose every option
/// that applies; a question counts when exactly its correct options are chosen.
#[derive(SimpleObject)]
pub struct AttemptQuestion {
    /// Its id within the attempt.
    pub id: String,
    /// The question.
    pub text: String,
    /// The options to choose from.
    pub options: Vec<AttemptOption>,
}

/// An option to choose.
#[derive(SimpleObject)]
pub struct AttemptOption {
    /// Its id within the attempt.
    pub id: String,
    /// The option.
    pub text: String,
}

/// One attempt at a test by the viewer.
pub struct CertificationAttempt {
    pub attempt: certification_attempt::Model,
    pub certificate: Option<certificate::Model>,
}

#[Object]
impl CertificationAttempt {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::CertificationAttempt, self.attempt.id)
    }
    /// The test's id.
    async fn test_id(&self) -> ID {
        ids::encode(Kind::CertificationTest, self.attempt.test_id)
    }
    /// The questions as they were when the attempt started, without answers.
    async fn questions(&self) -> Vec<AttemptQuestion> {
        cert::questions(&self.attempt.questions)
            .into_iter()
            .map(|q| AttemptQuestion {
                id: q.id,
                text: q.text,
                options: q
                    .options
                    .into_iter()
                    .map(|o| AttemptOption {
                        id: o.id,
                        text: o.text,
                    })
                    .collect(),
            })
            .collect()
    }
    /// When it started.
    async fn started_at(&self) -> DateTime<Utc> {
        self.attempt.started_at
    }
    /// When it was submitted; null while open.
    async fn submitted_at(&self) -> Option<DateTime<Utc>> {
        self.attempt.submitted_at
    }
    /// Questions in it.
    async fn total_questions(&self) -> i32 {
        self.attempt.total
    }
    /// Questions answered right, once submitted (which ones is not told).
    async fn correct_answers(&self) -> Option<i32> {
        self.attempt.correct
    }
    /// The score in whole percent (rounded down), once submitted.
    async fn score_percent(&self) -> Option<i32> {
        self.attempt
            .correct
            .map(|c| domain::leads::attempts::percent(c, self.attempt.total))
    }
    /// Whether it reached 90 %, once submitted.
    async fn passed(&self) -> Option<bool> {
        self.attempt
            .correct
            .map(|c| domain::leads::attempts::passes(c, self.attempt.total))
    }
    /// The certificate it earned.
    async fn certificate(&self) -> Option<Certificate> {
        self.certificate.clone().map(Certificate)
    }
}

/// A certificate as its holder sees it.
pub struct Certificate(pub certificate::Model);

#[Object]
impl Certificate {
    /// The global id.
    async fn id(&self) -> ID {
        ids::encode(Kind::Certificate, self.0.id)
    }
    /// The public verification code.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The holder's name as issued.
    async fn holder_name(&self) -> &str {
        &self.0.holder_name
    }
    /// The test's title as issued.
    async fn test_title(&self) -> &str {
        &self.0.test_title
    }
    /// The score it was earned with, in whole percent.
    async fn score_percent(&self) -> i32 {
        self.0.score_percent
    }
    /// When it was issued.
    async fn issued_at(&self) -> DateTime<Utc> {
        self.0.issued_at
    }
    /// Whether it is valid (not revoked).
    async fn valid(&self) -> bool {
        domain::leads::certificates::valid(&self.0)
    }
    /// When tenant staff revoked it.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at
    }
    /// The partner whose public profile shows it.
    async fn partner_id(&self) -> Option<ID> {
        self.0.partner_id.map(|p| ids::encode(Kind::Partner, p))
    }
    /// The public page that verifies it, on the brand's primary host.
    async fn verification_url(&self, ctx: &Context<'_>) -> crate::GqlResult<String> {
        verification_url(ctx, &self.0.code)
    }
}

fn verification_url(ctx: &Context<'_>, code: &str) -> crate::GqlResult<String> {
    let (svc, req) = (services(ctx)?, request(ctx)?);
    Ok(crate::links::tenant_url(
        &svc.settings,
        &req.tenant,
        &format!("/certificates/{code}"),
    ))
}

/// A certificate as anyone may check it.
pub struct PublicCertificate(pub certificate::Model);

#[Object]
impl PublicCertificate {
    /// The public verification code.
    async fn code(&self) -> &str {
        &self.0.code
    }
    /// The holder's name as issued.
    async fn holder_name(&self) -> &str {
        &self.0.holder_name
    }
    /// The test's title as issued.
    async fn test_title(&self) -> &str {
        &self.0.test_title
    }
    /// When it was issued.
    async fn issued_at(&self) -> DateTime<Utc> {
        self.0.issued_at
    }
    /// Whether it is valid (not revoked).
    async fn valid(&self) -> bool {
        domain::leads::certificates::valid(&self.0)
    }
    /// The public page that verifies it, on the brand's primary host.
    async fn verification_url(&self, ctx: &Context<'_>) -> crate::GqlResult<String> {
        verification_url(ctx, &self.0.code)
    }
}

/// Input of `submitLead`.
#[derive(InputObject)]
pub struct SubmitLeadInput {
    /// The contact's name (at most 120 characters).
    pub contact_name: String,
    /// Phone, international format (E.164), e.g. +79991234567.
    pub phone: String,
    /// Email.
    pub email: String,
    /// Company (at most 200 characters).
    pub company: Option<String>,
    /// What the client wants done (at most 2000 characters).
    pub task: String,
    /// Wanted features (at most 20, each at most 40 characters).
    #[graphql(default)]
    pub features: Vec<String>,
    /// Country (ISO 3166-1 alpha-2).
    pub country: Option<String>,
    /// Language (ISO 639-1).
    pub language: Option<String>,
    /// A partner from the public directory to address the request to.
    pub partner_id: Option<ID>,
    /// The spam trap: a form field hidden from people, whose value is passed here
    /// unchanged. People leave it empty; a filled one is answered like any other and
    /// dropped.
    pub website: Option<String>,
}

/// Result of `submitLead`.
#[derive(SimpleObject)]
pub struct SubmitLeadPayload {
    /// The request was received.
    pub received: bool,
}

/// Input of `takeLead`.
#[derive(InputObject)]
pub struct TakeLeadInput {
    /// The free lead.
    pub lead_id: ID,
    /// The partner taking it (the viewer must be a member).
    pub partner_id: ID,
}

/// Input naming a lead.
#[derive(InputObject)]
pub struct LeadIdInput {
    /// The lead.
    pub lead_id: ID,
}

/// Input of `setLeadStatus`.
#[derive(InputObject)]
pub struct SetLeadStatusInput {
    /// The lead.
    pub lead_id: ID,
    /// `IN_WORK` from `NEW`; `SUCCESS` or `FAILURE` from `IN_WORK`.
    pub status: LeadStatus,
}

/// Input of `addLeadComment`.
#[derive(InputObject)]
pub struct AddLeadCommentInput {
    /// The lead.
    pub lead_id: ID,
    /// The text (at most 4000 characters).
    pub body: String,
}

/// Input of `reassignLead`.
#[derive(InputObject)]
pub struct ReassignLeadInput {
    /// The lead.
    pub lead_id: ID,
    /// The approved partner to give it to; null returns it to free leads.
    pub partner_id: Option<ID>,
}

/// Input of `closeLead`.
#[derive(InputObject)]
pub struct CloseLeadInput {
    /// The lead.
    pub lead_id: ID,
    /// `SUCCESS` or `FAILURE`.
    pub status: LeadStatus,
}

/// Result of lead mutations.
#[derive(SimpleObject)]
pub struct LeadPayload {
    /// The lead as the viewer now sees it.
    pub lead: Lead,
}

/// Result of `addLeadComment`.
#[derive(SimpleObject)]
pub struct AddLeadCommentPayload {
    /// The new comment.
    pub comment: LeadComment,
}

/// One option of a question staff write.
#[derive(InputObject)]
pub struct CertificationOptionInput {
    /// The option (at most 500 characters).
    pub text: String,
    /// Whether choosing it is part of the right answer.
    pub correct: bool,
}

/// One question staff write.
#[derive(InputObject)]
pub struct CertificationQuestionInput {
    /// The question (at most 1000 characters).
    pub text: String,
    /// 2 to 10 options, at least one correct.
    pub options: Vec<CertificationOptionInput>,
}

/// Input of `upsertCertificationTest`.
#[derive(InputObject)]
pub struct UpsertCertificationTestInput {
    /// The test to change; omitted creates one.
    pub id: Option<ID>,
    /// Title (at most 200 characters).
    pub title: String,
    /// The platform topic (at most 120 characters).
    pub topic: String,
    /// What it is about.
    pub description: Option<String>,
    /// Whether partners see and take it.
    pub active: bool,
    /// 1 to 200 questions; they replace the test's questions (attempts under way keep
    /// theirs).
    pub questions: Vec<CertificationQuestionInput>,
}

/// Result of `upsertCertificationTest`.
#[derive(SimpleObject)]
pub struct CertificationTestPayload {
    /// The test as it now is.
    pub test: CertificationTest,
}

/// Input of `startCertificationAttempt`.
#[derive(InputObject)]
pub struct StartCertificationAttemptInput {
    /// The active test.
    pub test_id: ID,
}

/// One answer of an attempt.
#[derive(InputObject)]
pub struct CertificationAnswerInput {
    /// The question's id.
    pub question_id: String,
    /// Every option chosen.
    pub option_ids: Vec<String>,
}

/// Input of `submitCertificationAttempt`.
#[derive(InputObject)]
pub struct SubmitCertificationAttemptInput {
    /// The viewer's open attempt.
    pub attempt_id: ID,
    /// The answers; a question left out counts as wrong.
    pub answers: Vec<CertificationAnswerInput>,
}

/// Result of certification attempt mutations.
#[derive(SimpleObject)]
pub struct CertificationAttemptPayload {
    /// The attempt (with its score once submitted).
    pub attempt: CertificationAttempt,
}

/// Input of `attachCertificate` and `detachCertificate`.
#[derive(InputObject)]
pub struct PartnerCertificateInput {
    /// The partner whose public profile shows it.
    pub partner_id: ID,
    /// A valid certificate of a member of the partner's organization.
    pub certificate_id: ID,
}

/// Input of `revokeCertificate`.
#[derive(InputObject)]
pub struct RevokeCertificateInput {
    /// The certificate.
    pub certificate_id: ID,
    /// Why (kept in the audit log).
    pub reason: Option<String>,
}

/// Result of `revokeCertificate`.
#[derive(SimpleObject)]
pub struct CertificatePayload {
    /// The certificate as it now is.
    pub certificate: Certificate,
}
