//! The policy's own unit tests.

use super::*;

fn camera(id: &str) -> CameraId {
    CameraId::new(id).unwrap()
}

#[test]
fn a_hit_without_a_tag_is_taken_at_its_index_when_the_policy_has_one() {
    let p: Policy = Policy::brussels();
    assert_eq!(p.resolve(RuleId::Rule(3), None), Some(RuleId::Rule(3)));
    assert_eq!(p.resolve(RuleId::Rule(4), None), None);
    assert_eq!(p.resolve(RuleId::Fallback, None), Some(RuleId::Fallback));
    // With its tag, found wherever it stands.
    let tag = p.tag(RuleId::Rule(0));
    assert_eq!(p.resolve(RuleId::Rule(9), tag), Some(RuleId::Rule(0)));
}

#[test]
fn a_pattern_names_a_long_id_as_the_reads_fold_it() {
    let uuid = "3f2504e0-4f89-11d3-9a0c-0305e72c3301";
    let exact = CameraPattern::new(uuid).unwrap();
    assert_eq!(exact.as_str(), "3f2504e~5be1f9f5");
    assert!(exact.matches(&camera(uuid)));
    assert!(!exact.matches(&camera("3f2504e0-4f89-11d3-9a0c-0305e72c3302")));

    // A prefix within what a fold keeps matches long and short ids alike.
    let mobile = CameraPattern::new("mobile-*").unwrap();
    assert!(!mobile.prefix_beyond_fold());
    assert!(mobile.matches(&camera("mobile-van-0042-brussels-north")));
    assert!(mobile.matches(&camera("mobile-7")));
    assert!(!mobile.matches(&camera("fixed-van-0042-brussels-north")));

    // A longer prefix still matches short ids, never folded ones.
    let site = CameraPattern::new("BXL-NORD-*").unwrap();
    assert!(site.prefix_beyond_fold());
    assert!(site.matches(&camera("BXL-NORD-L1")));
    assert!(!site.matches(&camera("BXL-NORD-E40-KM12-L1")));
}

#[test]
fn patterns_that_cannot_be_kept_are_refused_with_their_reason() {
    assert_eq!(
        CameraPattern::new("BXL-NORD-E40-KM12-*"),
        Err(PatternError::PrefixTooLong)
    );
    assert_eq!(
        CameraPattern::new("a camera"),
        Err(PatternError::Camera(ReadError::Camera))
    );
    assert_eq!(
        CameraPattern::new(&"c".repeat(65)),
        Err(PatternError::Camera(ReadError::CameraTooLong))
    );
    assert!(
        CameraPattern::new("cam-0123456789ab*").is_ok(),
        "16 and `*`"
    );
}
