//! Partner certification (SPEC §9): tests written by tenant staff, attempts without the
//! answers, scoring at 90 %, the cool-down between attempts, certificates verified by
//! their public code, attached to the partner's public profile, revoked; and tenant
//! isolation.

use chrono::Duration;
use serde_json::{Value, json};

use crate::leads::approved;
use crate::support::*;

const UPSERT: &str = "mutation($i: UpsertCertificationTestInput!) { upsertCertificationTest(input: $i) { test { id title active questionCount passPercent } } }";
const TESTS: &str = "{ certificationTests { id title topic active questionCount nextAttemptAt } }";
const KEY: &str = "{ certificationTests { id questions { id text options { id text correct } } } }";
const START: &str = "mutation($t: ID!) { startCertificationAttempt(input: { testId: $t }) { attempt { id testId totalQuestions submittedAt questions { id text options { id text } } } } }";
const SUBMIT: &str = "mutation($a: ID!, $ans: [CertificationAnswerInput!]!) { submitCertificationAttempt(input: { attemptId: $a, answers: $ans }) { attempt { submittedAt correctAnswers totalQuestions scorePercent passed certificate { id code holderName testTitle scorePercent valid verificationUrl } } } }";
const VERIFY: &str = "query($c: String!) { verifyCertificate(code: $c) { code holderName testTitle issuedAt valid } }";
const ATTACH: &str = "mutation($p: ID!, $c: ID!) { attachCertificate(input: { partnerId: $p, certificateId: $c }) { partner { profile { certificates { code holderName testTitle valid } } } } }";
const DETACH: &str = "mutation($p: ID!, $c: ID!) { detachCertificate(input: { partnerId: $p, certificateId: $c }) { partner { id } } }";
const REVOKE: &str = "mutation($c: ID!) { revokeCertificate(input: { certificateId: $c, reason: \"cheating\" }) { certificate { valid revokedAt } } }";
const DIRECTORY: &str = "{ partnerDirectory { edges { node { id profile { name certificates { code holderName testTitle valid verificationUrl } } } } } }";
const LIST: &str = "mutation($i: UpdatePartnerProfileInput!) { updatePartnerProfile(input: $i) { partner { id } } }";

/// Ten questions; question n's right answer is its option A, and question 10 needs A
/// and C together.
fn ten_questions() -> Value {
    let mut qs: Vec<Value> = (1..=9)
        .map(|n| {
            json!({ "text": format!("Question {n}?"), "options": [
                { "text": "right", "correct": true },
                { "text": "wrong", "correct": false },
                { "text": "also wrong", "correct": false }
            ] })
        })
        .collect();
    qs.push(
        json!({ "text": "Pick both channels that need a QR code", "options": [
        { "text": "WhatsApp", "correct": true },
        { "text": "Email", "correct": false },
        { "text": "Telegram personal", "correct": true }
    ] }),
    );
    json!(qs)
}

async fn write_test(app: &TestApp, host: &str, staff: &str, active: bool) -> String {
    let d = app
        .ok(
            host,
            Some(staff),
            UPSERT,
            json!({ "i": { "title": "WhatsApp basics", "topic": "channels", "description": "Connecting and running WhatsApp lines", "active": active, "questions": ten_questions() } }),
        )
        .await;
    let t = &d["upsertCertificationTest"]["test"];
    assert_eq!(t["questionCount"], 10);
    assert_eq!(t["passPercent"], 90);
    t["id"].as_str().unwrap().to_string()
}

/// Answers with `right` questions right (of ten).
fn answers(right: usize) -> Value {
    json!(
        (1..=10)
            .map(|n| {
                let ok = n <= right;
                let options = match (n, ok) {
                    (10, true) => json!(["Q10A", "Q10C"]),
                    (10, false) => json!(["Q10A"]),
                    (n, true) => json!([format!("Q{n}A")]),
                    (n, false) => json!([format!("Q{n}B")]),
                };
                json!({ "questionId": format!("Q{n}"), "optionIds": options })
            })
            .collect::<Vec<_>>()
    )
}

async fn attempt(app: &TestApp, host: &str, token: &str, test: &str) -> Value {
    app.ok(host, Some(token), START, json!({ "t": test })).await["startCertificationAttempt"]
        ["attempt"]
        .clone()
}

#[tokio::test]
async fn partners_take_tests_without_ever_seeing_the_answers() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (_, owner) = approved(&app, ROOT, "a", &staff).await;
    let test = write_test(&app, ROOT, &staff, true).await;
    let hidden = write_test(&app, ROOT, &staff, false).await;
    // Staff read the key; partners see active tests only, and no key.
    let d = app.ok(ROOT, Some(&staff), KEY, json!({})).await;
    assert_eq!(d["certificationTests"].as_array().unwrap().len(), 2);
    assert_eq!(
        d["certificationTests"][0]["questions"][9]["options"][2]["correct"],
        true
    );
    let d = app.ok(ROOT, Some(&owner), TESTS, json!({})).await;
    let tests = d["certificationTests"].as_array().unwrap();
    assert_eq!(tests.len(), 1);
    assert_eq!(tests[0]["id"], test);
    assert_eq!(tests[0]["nextAttemptAt"], Value::Null);
    let r = app.post(ROOT, Some(&owner), KEY, json!({})).await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    // The attempt's type has no answer field at all, and the answer is nowhere in it.
    let r = app
        .post(
            ROOT,
            Some(&owner),
            "mutation($t: ID!) { startCertificationAttempt(input: { testId: $t }) { attempt { questions { options { correct } } } } }",
            json!({ "t": test }),
        )
        .await;
    assert_eq!(
        first_code(&r.body),
        "GRAPHQL_VALIDATION_FAILED",
        "{}",
        r.body
    );
    let a = attempt(&app, ROOT, &owner, &test).await;
    assert_eq!(a["totalQuestions"], 10);
    assert_eq!(a["questions"][9]["options"][2]["text"], "Telegram personal");
    assert!(!a.to_string().contains("correct"), "{a}");
    // Asking again while it is open returns the same attempt.
    let again = attempt(&app, ROOT, &owner, &test).await;
    assert_eq!(again["id"], a["id"]);
    // An inactive test, or a plain user: nothing.
    let r = app
        .post(ROOT, Some(&owner), START, json!({ "t": hidden }))
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    let (plain, _, _) = app.sign_up(ROOT, "plain@example.com").await;
    for q in [TESTS] {
        let r = app.post(ROOT, Some(&plain), q, json!({})).await;
        assert_eq!(first_code(&r.body), "NO_PARTNER");
    }
    let r = app
        .post(ROOT, Some(&plain), START, json!({ "t": test }))
        .await;
    assert_eq!(first_code(&r.body), "NO_PARTNER");
    // Partners do not write tests.
    let r = app
        .post(
            ROOT,
            Some(&owner),
            UPSERT,
            json!({ "i": { "title": "x", "topic": "y", "active": true, "questions": ten_questions() } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
    // Nobody else submits the attempt.
    let r = app
        .post(
            ROOT,
            Some(&plain),
            SUBMIT,
            json!({ "a": a["id"], "ans": answers(10) }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
}

#[tokio::test]
async fn staff_input_is_checked_question_by_question() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let mut qs = ten_questions();
    qs[3]["options"] = json!([{ "text": "only", "correct": true }]);
    let r = app
        .post(
            ROOT,
            Some(&staff),
            UPSERT,
            json!({ "i": { "title": "T", "topic": "t", "active": true, "questions": qs } }),
        )
        .await;
    assert_eq!(first_code(&r.body), "BAD_USER_INPUT");
    assert_eq!(first_field(&r.body), "questions.3.options");
    let mut qs = ten_questions();
    qs[0]["options"] =
        json!([{ "text": "a", "correct": false }, { "text": "b", "correct": false }]);
    let r = app
        .post(
            ROOT,
            Some(&staff),
            UPSERT,
            json!({ "i": { "title": "T", "topic": "t", "active": true, "questions": qs } }),
        )
        .await;
    assert_eq!(first_field(&r.body), "questions.0.options");
    let r = app
        .post(
            ROOT,
            Some(&staff),
            UPSERT,
            json!({ "i": { "title": "T", "topic": "t", "active": true, "questions": [] } }),
        )
        .await;
    assert_eq!(first_field(&r.body), "questions");
}

#[tokio::test]
async fn ninety_percent_earns_a_certificate_anyone_can_verify() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (partner, owner) = approved(&app, ROOT, "a", &staff).await;
    let test = write_test(&app, ROOT, &staff, true).await;
    let a = attempt(&app, ROOT, &owner, &test).await;
    // Question 10 half right counts as wrong: 9 of 10 is exactly 90 %.
    let d = app
        .ok(
            ROOT,
            Some(&owner),
            SUBMIT,
            json!({ "a": a["id"], "ans": answers(9) }),
        )
        .await;
    let done = &d["submitCertificationAttempt"]["attempt"];
    assert_eq!(done["correctAnswers"], 9);
    assert_eq!(done["scorePercent"], 90);
    assert_eq!(done["passed"], true);
    let cert = done["certificate"].clone();
    assert_eq!(cert["holderName"], "Test User");
    assert_eq!(cert["testTitle"], "WhatsApp basics");
    assert_eq!(cert["valid"], true);
    let code = cert["code"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 19);
    assert!(
        cert["verificationUrl"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/certificates/{code}"))
    );
    // Scored once.
    let r = app
        .post(
            ROOT,
            Some(&owner),
            SUBMIT,
            json!({ "a": a["id"], "ans": answers(10) }),
        )
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");
    // Anyone verifies it, however the code is typed; a wrong code is null.
    for typed in [code.clone(), code.to_lowercase().replace('-', "")] {
        let d = app.ok(ROOT, None, VERIFY, json!({ "c": typed })).await;
        assert_eq!(d["verifyCertificate"]["holderName"], "Test User");
        assert_eq!(d["verifyCertificate"]["valid"], true);
    }
    let d = app
        .ok(ROOT, None, VERIFY, json!({ "c": "AAAA-BBBB-CCCC-DDDD" }))
        .await;
    assert_eq!(d["verifyCertificate"], Value::Null);

    // The owner shows it on the listed profile; the directory lists it.
    app.ok(
        ROOT,
        Some(&owner),
        LIST,
        json!({ "i": { "partnerId": partner, "listed": true } }),
    )
    .await;
    let d = app
        .ok(
            ROOT,
            Some(&owner),
            ATTACH,
            json!({ "p": partner, "c": cert["id"] }),
        )
        .await;
    assert_eq!(
        d["attachCertificate"]["partner"]["profile"]["certificates"][0]["code"],
        code
    );
    let d = app.ok(ROOT, None, DIRECTORY, json!({})).await;
    let shown = &d["partnerDirectory"]["edges"][0]["node"]["profile"]["certificates"];
    assert_eq!(shown[0]["code"], code);
    assert_eq!(shown[0]["testTitle"], "WhatsApp basics");
    // Holding one, there is no new attempt at the same test.
    let r = app
        .post(ROOT, Some(&owner), START, json!({ "t": test }))
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");

    // Staff revoke it: it verifies as not valid and leaves the profile.
    let d = app
        .ok(ROOT, Some(&staff), REVOKE, json!({ "c": cert["id"] }))
        .await;
    assert_eq!(d["revokeCertificate"]["certificate"]["valid"], false);
    let d = app.ok(ROOT, None, VERIFY, json!({ "c": code })).await;
    assert_eq!(d["verifyCertificate"]["valid"], false);
    let d = app.ok(ROOT, None, DIRECTORY, json!({})).await;
    assert_eq!(
        d["partnerDirectory"]["edges"][0]["node"]["profile"]["certificates"],
        json!([])
    );
    let r = app
        .post(
            ROOT,
            Some(&owner),
            ATTACH,
            json!({ "p": partner, "c": cert["id"] }),
        )
        .await;
    assert_eq!(first_code(&r.body), "CONFLICT");
    let r = app
        .post(ROOT, Some(&owner), REVOKE, json!({ "c": cert["id"] }))
        .await;
    assert_eq!(first_code(&r.body), "FORBIDDEN");
}

#[tokio::test]
async fn a_failed_attempt_waits_for_the_brands_cool_down() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (_, owner) = approved(&app, ROOT, "a", &staff).await;
    let test = write_test(&app, ROOT, &staff, true).await;
    let a = attempt(&app, ROOT, &owner, &test).await;
    let d = app
        .ok(
            ROOT,
            Some(&owner),
            SUBMIT,
            json!({ "a": a["id"], "ans": answers(8) }),
        )
        .await;
    let done = &d["submitCertificationAttempt"]["attempt"];
    assert_eq!(done["passed"], false);
    assert_eq!(done["scorePercent"], 80);
    assert_eq!(done["certificate"], Value::Null);
    let r = app
        .post(ROOT, Some(&owner), START, json!({ "t": test }))
        .await;
    assert_eq!(first_code(&r.body), "CERTIFICATION_COOLDOWN");
    let d = app.ok(ROOT, Some(&owner), TESTS, json!({})).await;
    assert!(d["certificationTests"][0]["nextAttemptAt"].is_string());
    // 24 hours (the default) later, the next attempt starts.
    app.state.services.clock.advance(Duration::hours(23));
    let r = app
        .post(ROOT, Some(&owner), START, json!({ "t": test }))
        .await;
    assert_eq!(first_code(&r.body), "CERTIFICATION_COOLDOWN");
    app.state
        .services
        .clock
        .advance(Duration::hours(1) + Duration::minutes(1));
    let b = attempt(&app, ROOT, &owner, &test).await;
    assert_ne!(b["id"], a["id"]);
    // The brand shortens it to 0: fail, and start again at once.
    app.ok(
        ROOT,
        Some(&staff),
        "mutation($i: UpdateTenantInput!) { updateTenant(input: $i) { tenant { partnerProgram { certificationCooldownHours } } } }",
        json!({ "i": { "partnerProgram": { "certificationCooldownHours": 0 } } }),
    )
    .await;
    app.ok(
        ROOT,
        Some(&owner),
        SUBMIT,
        json!({ "a": b["id"], "ans": answers(0) }),
    )
    .await;
    let c = attempt(&app, ROOT, &owner, &test).await;
    assert_ne!(c["id"], b["id"]);
}

#[tokio::test]
async fn another_tenants_tests_and_certificates_are_invisible() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (root_partner, root_owner) = approved(&app, ROOT, "root", &staff).await;
    let (_, acme) = app.tenant("acme").await;
    let admin = app.tenant_admin_token("acme", &acme).await;
    let (_, acme_owner) = approved(&app, &acme, "acme", &admin).await;
    let acme_test = write_test(&app, &acme, &admin, true).await;
    let a = attempt(&app, &acme, &acme_owner, &acme_test).await;
    let d = app
        .ok(
            &acme,
            Some(&acme_owner),
            SUBMIT,
            json!({ "a": a["id"], "ans": answers(10) }),
        )
        .await;
    let cert = d["submitCertificationAttempt"]["attempt"]["certificate"].clone();
    let code = cert["code"].as_str().unwrap();
    // Verifiable on acme's host only.
    let d = app.ok(&acme, None, VERIFY, json!({ "c": code })).await;
    assert_eq!(d["verifyCertificate"]["valid"], true);
    let d = app.ok(ROOT, None, VERIFY, json!({ "c": code })).await;
    assert_eq!(d["verifyCertificate"], Value::Null);
    // Root's partner sees no acme test, cannot start it, attach acme's certificate, or
    // submit acme's attempt; root staff cannot revoke it.
    let d = app.ok(ROOT, Some(&root_owner), TESTS, json!({})).await;
    assert_eq!(d["certificationTests"], json!([]));
    let r = app
        .post(ROOT, Some(&root_owner), START, json!({ "t": acme_test }))
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    let r = app
        .post(
            ROOT,
            Some(&root_owner),
            ATTACH,
            json!({ "p": root_partner, "c": cert["id"] }),
        )
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    let r = app
        .post(ROOT, Some(&staff), REVOKE, json!({ "c": cert["id"] }))
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    let d = app
        .ok(
            ROOT,
            Some(&root_owner),
            "{ myCertificates { code } }",
            json!({}),
        )
        .await;
    assert_eq!(d["myCertificates"], json!([]));
    let d = app
        .ok(
            &acme,
            Some(&acme_owner),
            "{ myCertificates { code } }",
            json!({}),
        )
        .await;
    assert_eq!(d["myCertificates"][0]["code"], code);
}

#[tokio::test]
async fn only_a_members_certificate_goes_on_the_profile() {
    let app = TestApp::new().await;
    let staff = app.staff_token().await;
    let (a, a_owner) = approved(&app, ROOT, "a", &staff).await;
    let (b, b_owner) = approved(&app, ROOT, "b", &staff).await;
    let test = write_test(&app, ROOT, &staff, true).await;
    let at = attempt(&app, ROOT, &b_owner, &test).await;
    let d = app
        .ok(
            ROOT,
            Some(&b_owner),
            SUBMIT,
            json!({ "a": at["id"], "ans": answers(10) }),
        )
        .await;
    let cert = d["submitCertificationAttempt"]["attempt"]["certificate"]["id"].clone();
    // A cannot show B's member's certificate; B shows it, and takes it off again.
    let r = app
        .post(ROOT, Some(&a_owner), ATTACH, json!({ "p": a, "c": cert }))
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
    app.ok(ROOT, Some(&b_owner), ATTACH, json!({ "p": b, "c": cert }))
        .await;
    app.ok(ROOT, Some(&b_owner), DETACH, json!({ "p": b, "c": cert }))
        .await;
    let r = app
        .post(ROOT, Some(&b_owner), DETACH, json!({ "p": b, "c": cert }))
        .await;
    assert_eq!(first_code(&r.body), "NOT_FOUND");
}
