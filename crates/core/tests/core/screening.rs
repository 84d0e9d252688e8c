//! Screening results: which answers drive them, the contiguous-country
//! criteria with their rationales and the under-14 presumption, and
//! instrument versions that never change how an old screening is read.

use serde_json::{Value, json};
use waystation_core::screening::{Indicator, IndicatorCategory, Prompt, Respondent, ReturnEligibility};
use waystation_core::{Catalog, NewCase, ScreeningResult};

use crate::support::{self, json};

fn result_of(v: &Value) -> ScreeningResult {
    NewCase::from_value(v, support::today()).unwrap().screening.unwrap().result.unwrap()
}

fn contiguous() -> Value {
    json(support::CONTIGUOUS)
}

fn drivers(r: &ScreeningResult) -> Vec<&str> {
    r.drivers.iter().map(|d| d.question.as_str()).collect()
}

#[test]
fn a_contiguous_child_meeting_all_four_criteria_with_rationales_is_eligible() {
    let r = result_of(&contiguous());
    assert_eq!(r.contiguous_return, ReturnEligibility::Eligible);
    assert!(r.indicators_present.is_empty() && r.indicators_open.is_empty());
    assert!(r.drivers.is_empty(), "{:?}", r.drivers);
}

#[test]
fn a_criterion_answered_no_makes_the_child_not_eligible() {
    let mut v = contiguous();
    v["screening"]["criteria"]["no_credible_fear"] =
        json!({"answer": "no", "rationale": "Said a gang threatened him for refusing to carry packages."});
    let r = result_of(&v);
    assert_eq!(r.contiguous_return, ReturnEligibility::NotEligible);
    assert_eq!(drivers(&r), ["no_credible_fear"]);
}

#[test]
fn a_missing_rationale_or_an_open_answer_leaves_it_incomplete() {
    let mut v = contiguous();
    v["screening"]["criteria"]["no_trafficking_risk_on_return"].as_object_mut().unwrap().remove("rationale");
    let r = result_of(&v);
    assert_eq!(r.contiguous_return, ReturnEligibility::Incomplete);
    assert_eq!(drivers(&r), ["no_trafficking_risk_on_return"]);
    assert!(r.drivers[0].effect.contains("rationale"));

    let mut v = contiguous();
    v["screening"]["criteria"].as_object_mut().unwrap().remove("able_to_decide_independently");
    assert_eq!(result_of(&v).contiguous_return, ReturnEligibility::Incomplete);

    let mut v = contiguous();
    v["screening"]["answers"]["owes_debt"] = json!("declined");
    let r = result_of(&v);
    assert_eq!(r.contiguous_return, ReturnEligibility::Incomplete);
    assert_eq!(r.indicators_open, ["owes_debt"]);
}

#[test]
fn a_child_under_14_is_presumed_unable_to_decide_whatever_the_answer() {
    let mut v = contiguous();
    v["child"]["date_of_birth"] = json!("2013-01-15");
    let r = result_of(&v);
    assert_eq!(r.contiguous_return, ReturnEligibility::NotEligible);
    assert_eq!(drivers(&r), ["child.age"]);
    assert!(r.drivers[0].effect.contains("under 14"));
    // Fourteen on the day of the screening is not under 14.
    v["child"]["date_of_birth"] = json!("2012-11-21");
    assert_eq!(result_of(&v).contiguous_return, ReturnEligibility::Eligible);
    // Unknown age: the presumption cannot be checked.
    v["child"].as_object_mut().unwrap().remove("date_of_birth");
    assert_eq!(result_of(&v).contiguous_return, ReturnEligibility::Incomplete);
}

#[test]
fn an_indicator_present_blocks_return_even_with_four_yes() {
    let mut v = contiguous();
    v["screening"]["answers"]["must_work_off_debt"] = json!("yes");
    let r = result_of(&v);
    assert_eq!(r.contiguous_return, ReturnEligibility::NotEligible);
    assert!(drivers(&r).contains(&"must_work_off_debt") && drivers(&r).contains(&"indicators"));
}

#[test]
fn the_criteria_do_not_apply_to_a_child_from_elsewhere() {
    let mut v = contiguous();
    v["child"]["nationalities"] = json!(["GT"]);
    assert_eq!(result_of(&v).contiguous_return, ReturnEligibility::NotApplicable);
    v["child"]["nationalities"] = json!(["GT", "CA"]);
    assert_eq!(result_of(&v).contiguous_return, ReturnEligibility::Eligible, "any contiguous nationality counts");
}

#[test]
fn the_result_is_recomputed_whatever_the_input_said() {
    let mut v = contiguous();
    let honest = result_of(&v);
    v["screening"]["result"] = json!({
        "indicators": "present", "indicators_present": ["owes_debt"], "indicators_open": [],
        "contiguous_return": "not_eligible", "drivers": []
    });
    assert_eq!(result_of(&v), honest);
    v["screening"]["result"] = json!({"verdict": "fine"});
    let e = NewCase::from_value(&v, support::today()).unwrap_err();
    assert_eq!(e.field, "screening.result");
}

#[test]
fn unanswered_questions_make_the_indicator_finding_incomplete() {
    let v = json(support::ACCOMPANIED);
    let r = result_of(&v);
    assert_eq!(r.indicators_present, ["family_threatened"]);
    assert!(
        r.indicators_open.contains(&"owes_debt".to_owned())
            && r.indicators_open.contains(&"made_to_break_the_law".to_owned())
    );
}

/// A catalog holding version 1 and a version 2 that drops one question and adds another.
fn catalog_with_v2() -> Catalog {
    let mut catalog = Catalog::builtin().clone();
    let mut v2 = catalog.latest("waystation-child-screen").unwrap().clone();
    v2.version = 2;
    v2.indicators.retain(|i| i.id != "owes_debt");
    v2.indicators.push(Indicator {
        id: "recruited_through_social_media".into(),
        category: IndicatorCategory::Recruitment,
        asked_of: Respondent::Child,
        prompt: Prompt {
            en: "Did someone offer you the trip through social media?".into(),
            es: "¿Alguien te ofreció el viaje por redes sociales?".into(),
        },
    });
    catalog.insert(v2).unwrap();
    catalog
}

#[test]
fn a_new_instrument_version_does_not_change_how_an_old_screening_is_read() {
    let catalog = catalog_with_v2();
    assert_eq!(catalog.latest("waystation-child-screen").unwrap().version, 2);
    let today = support::today();
    let v = json(support::CASE);
    let old = NewCase::parse_with(&v, today, Catalog::builtin()).unwrap();
    let with_v2 = NewCase::parse_with(&v, today, &catalog).unwrap();
    assert_eq!(old, with_v2, "a version 1 screening is read with version 1");
    assert!(with_v2.screening.unwrap().result.unwrap().indicators_present.contains(&"owes_debt".to_owned()));

    // A version 1 screening cannot answer a question only version 2 asks…
    let mut v1 = json(support::CASE);
    v1["screening"]["answers"]["recruited_through_social_media"] = json!("yes");
    let e = NewCase::parse_with(&v1, today, &catalog).unwrap_err();
    assert_eq!(e.field, "screening.answers.recruited_through_social_media");
    // …and a version 2 screening is read with version 2.
    let mut v2 = v1.clone();
    v2["screening"]["version"] = json!(2);
    v2["screening"]["answers"].as_object_mut().unwrap().remove("owes_debt");
    let r = NewCase::parse_with(&v2, today, &catalog).unwrap().screening.unwrap().result.unwrap();
    assert!(r.indicators_present.contains(&"recruited_through_social_media".to_owned()));
    // A device that does not know version 2 refuses it by name, rather than misreading it.
    let e = NewCase::parse_with(&v2, today, Catalog::builtin()).unwrap_err();
    assert_eq!(e.field, "screening.version");
}
