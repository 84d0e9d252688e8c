//! The patterns the forms check before saving (`StationCode::PATTERN`,
//! `OrgId::PATTERN`, `UserName::PATTERN`, written into the UI's generated
//! vocabulary) accept exactly what core's parsers accept.

use proptest::prelude::*;
use regex::Regex;
use serde_json::json;
use waystation_core::{OrgId, StationCode, UserName};

/// Text from an alphabet that reaches every edge of the three shapes.
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just('z'),
            Just('A'),
            Just('Z'),
            Just('0'),
            Just('9'),
            Just('-'),
            Just('.'),
            Just('_'),
            Just(' '),
            Just('é'),
            Just('/'),
        ],
        0..70,
    )
    .prop_map(|c| c.into_iter().collect())
}

fn agrees(pattern: &str, form_value: &str, parsed: bool) -> Result<(), TestCaseError> {
    let matched = Regex::new(pattern).unwrap().is_match(form_value);
    prop_assert_eq!(matched, parsed, "pattern {} on {:?}", pattern, form_value);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn the_station_pattern_is_the_parser(s in text()) {
        let parsed = StationCode::parse(&json!(s)).is_ok();
        agrees(StationCode::PATTERN, &s.trim().to_ascii_uppercase(), parsed)?;
    }

    #[test]
    fn the_org_pattern_is_the_parser(s in text()) {
        agrees(OrgId::PATTERN, s.trim(), OrgId::parse("org", &s).is_ok())?;
    }

    #[test]
    fn the_user_pattern_is_the_parser(s in text()) {
        agrees(UserName::PATTERN, s.trim(), UserName::parse("user", &s).is_ok())?;
    }
}

#[test]
fn the_patterns_refuse_and_accept_the_plain_cases() {
    let station = Regex::new(StationCode::PATTERN).unwrap();
    assert!(station.is_match("TCA-AJO") && !station.is_match("-AJO") && !station.is_match("A"));
    let org = Regex::new(OrgId::PATTERN).unwrap();
    assert!(org.is_match("casa-alianza") && !org.is_match("Casa") && !org.is_match(&"a".repeat(65)));
    let user = Regex::new(UserName::PATTERN).unwrap();
    assert!(user.is_match("ana.lopez") && !user.is_match("ana lopez"));
}
