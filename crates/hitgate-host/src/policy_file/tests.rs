//! The policy file's unit tests.

use super::*;
use hitgate_core::{list::Priority, policy::Action};

#[test]
fn baseline_file_parses_back_to_the_baseline() {
    let lists = vec![default_list("stolen"), default_list("local")];
    let text = brussels_toml(&lists, &Config::default());
    let p = PolicyFile::parse(&text).unwrap();
    assert_eq!(p.policy, Policy::brussels());
    assert_eq!(p.config, Config::default());
    assert_eq!(p.lists, lists);
    assert!(p.lists[1].spec.local);
}

#[test]
fn a_list_may_set_its_own_evidence_tolerance() {
    let p = PolicyFile::parse(
        "[[list]]\nname = \"national\"\nevidence = { ocr = 1, edits = 0, min_len = 6 }\n\
         [[list]]\nname = \"wanted\"\n",
    )
    .unwrap();
    let own = Tolerance {
        ocr: 1,
        edits: 0,
        min_len: 6,
    };
    assert_eq!(p.lists[0].spec.evidence, Some(own));
    assert_eq!(p.lists[1].spec.evidence, None);
    // Written back as it was read.
    let again = PolicyFile::parse(&brussels_toml(&p.lists, &p.config)).unwrap();
    assert_eq!(again.lists, p.lists);
    let e = PolicyFile::parse("[[list]]\nname = \"x\"\nevidence = { ocr = 3 }\n").unwrap_err();
    assert!(
        format!("{e:#}").contains("list \"x\": evidence above 2"),
        "{e:#}"
    );
}

#[test]
fn the_engines_look_alikes_are_the_policys_and_checked() {
    let p = PolicyFile::parse("[ocr]\nclasses = [\"0ODQ\", \"1ILT\", \"a4\", \"UV\"]\n").unwrap();
    assert!(p.classes.alike(b'A', b'4') && p.classes.alike(b'U', b'V'));
    assert!(p.classes.alike(b'O', b'0'));
    // Not named, so not alike: the zone replaced the default classes.
    assert!(!p.classes.alike(b'B', b'8'));
    assert_eq!(
        PolicyFile::parse("").unwrap().classes,
        ConfusionClasses::default()
    );
    for (bad, says) in [
        (
            "classes = [\"0O\", \"O8\"]",
            "class 1: 'O' already stands in an earlier class",
        ),
        ("classes = [\"0ODQC\"]", "class 0 has more than 4"),
        ("classes = [\"A\"]", "class 0 (\"A\"): a class names 2 to 4"),
        ("classes = [\"A-\"]", "class 0: byte 0x2d is not A-Z or 0-9"),
        ("classes = []\nrate = 1", "unknown field `rate`"),
    ] {
        let e = PolicyFile::parse(&format!("[ocr]\n{bad}\n")).unwrap_err();
        let e = format!("{e:#}");
        assert!(e.contains(says), "{bad}: {e}");
    }
}

#[test]
fn rules_name_lists_and_cameras() {
    let p = PolicyFile::parse(
        r#"
        [[list]]
        name = "wanted"
        [[list]]
        name = "insurance"
        tolerance = { ocr = 0, edits = 0, min_len = 0 }
        [config]
        mode = "first-read"
        budgets = { p1 = { burst = 3, per_hour = 6 } }
        [[rule]]
        name = "mobile-insurance"
        lists = ["insurance"]
        cameras = ["mobile-*"]
        kinds = ["exact"]
        action = "review"
        "#,
    )
    .unwrap();
    assert_eq!(p.config.mode, hitgate_core::unit::Mode::FirstRead);
    assert_eq!(p.config.budgets.0[1].map(|b| b.burst), Some(3));
    assert_eq!(p.config.budgets.0[2], None);
    let r = &p.policy.rules[0];
    assert_eq!(
        r.lists.iter().collect::<Vec<_>>(),
        vec![hitgate_core::list::ListId(1)]
    );
    assert_eq!(r.action, Action::Review);
    assert!(r.priorities.is_empty());
    let _ = Priority::P0;
}

#[test]
fn a_rule_names_how_many_reads_it_takes() {
    let p = PolicyFile::parse(
        "[[rule]]\nname = \"one-fuzzy\"\npriorities = [1]\nkinds = [\"ocr\", \"edit\"]\n\
         max_reads = 1\naction = \"review\"\n\
         [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n",
    )
    .unwrap();
    assert_eq!(p.policy.rules[0].max_reads, Some(1));
    assert_eq!(p.policy.rules[1].max_reads, None);
    let e = PolicyFile::parse("[[rule]]\nname = \"x\"\nmax_reads = 0\naction = \"drop\"\n")
        .unwrap_err();
    assert!(
        format!("{e:#}").contains("rule 1 (\"x\"): max_reads = 0 would never apply"),
        "{e:#}"
    );
    let e = PolicyFile::parse("[[rule]]\nname = \"x\"\nmax_reads = 256\naction = \"drop\"\n")
        .unwrap_err();
    assert!(format!("{e:#}").contains("rule 1"), "{e:#}");
}

#[test]
fn a_rule_names_whether_the_plate_as_read_could_be_a_car() {
    let p = PolicyFile::parse(
        "[[rule]]\nname = \"one-fuzzy\"\nkinds = [\"ocr\"]\nmax_reads = 1\n\
         read_fits = true\naction = \"review\"\n\
         [[rule]]\nname = \"never\"\nread_fits = false\naction = \"drop\"\n\
         [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n",
    )
    .unwrap();
    let fits: Vec<Option<bool>> = p.policy.rules.iter().map(|r| r.read_fits).collect();
    assert_eq!(fits, [Some(true), Some(false), None]);
    let e = PolicyFile::parse("[[rule]]\nname = \"x\"\nread_fits = 1\naction = \"drop\"\n")
        .unwrap_err();
    assert!(format!("{e:#}").contains("rule 1"), "{e:#}");
}

#[test]
fn a_rule_behind_several_that_take_its_hits_between_them_is_noted_with_each() {
    // Exact reads of P0 and P1 dispatched, tolerant ones reviewed: the
    // night rule for both, written last, is reached by no hit. Neither
    // rule before it takes them all alone.
    let p = PolicyFile::parse(
        "[[rule]]\nname = \"exact\"\npriorities = [0, 1]\nkinds = [\"exact\"]\n\
         action = \"dispatch\"\n\
         [[rule]]\nname = \"tolerant\"\npriorities = [0, 1]\nkinds = [\"ocr\", \"edit\"]\n\
         action = \"review\"\n\
         [[rule]]\nname = \"p0-p1-night\"\npriorities = [0, 1]\naction = \"dispatch\"\n",
    )
    .unwrap();
    assert_eq!(
        p.notes(),
        [
            "rule 3 (\"p0-p1-night\", dispatch) never applies: rule 1 (\"exact\", dispatch), \
          rule 2 (\"tolerant\", review) before it take every hit it would between them; \
          move it above them, or narrow the earlier ones"
        ]
    );
    // Without the edit kind, an edit-distance hit reaches it.
    let p = PolicyFile::parse(
        "[[rule]]\nname = \"exact\"\npriorities = [0, 1]\nkinds = [\"exact\"]\n\
         action = \"dispatch\"\n\
         [[rule]]\nname = \"tolerant\"\npriorities = [0, 1]\nkinds = [\"ocr\"]\n\
         action = \"review\"\n\
         [[rule]]\nname = \"p0-p1-night\"\npriorities = [0, 1]\naction = \"dispatch\"\n",
    )
    .unwrap();
    assert!(p.notes().is_empty(), "{:?}", p.notes());
}

#[test]
fn rules_for_schedules_that_hold_the_whole_week_take_a_rule_for_any_time() {
    // Priority 2 reviewed by day and dispatched by night, every day: the
    // rule for P2 also on a local list, after them, is reached by no hit
    // at any hour. With the night a weekday one, the weekend's nights
    // reach it.
    let file = |night_days: &str| {
        format!(
            "[[schedule]]\nname = \"day\"\ndays = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \
             \"sat\", \"sun\"]\nfrom = \"06:00\"\nto = \"22:00\"\n\
             [[schedule]]\nname = \"night\"\ndays = [{night_days}]\nfrom = \"22:00\"\nto = \"06:00\"\n\
             [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n\
             [[rule]]\nname = \"p2-day\"\npriorities = [2]\nschedules = [\"day\"]\naction = \"review\"\n\
             [[rule]]\nname = \"p2-night\"\npriorities = [2]\nschedules = [\"night\"]\n\
             action = \"dispatch\"\n\
             [[rule]]\nname = \"p2-local\"\npriorities = [2]\nalso_local = true\naction = \"dispatch\"\n"
        )
    };
    let every = "\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"";
    let p = PolicyFile::parse(&file(every)).unwrap();
    assert_eq!(
        p.notes(),
        [
            "rule 4 (\"p2-local\", dispatch) never applies: rule 2 (\"p2-day\", review), \
          rule 3 (\"p2-night\", dispatch) before it take every hit it would between them; \
          move it above them, or narrow the earlier ones"
        ]
    );
    let weekdays = "\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"";
    let p = PolicyFile::parse(&file(weekdays)).unwrap();
    assert!(p.notes().is_empty(), "{:?}", p.notes());
}

#[test]
fn a_rule_for_a_hotspot_inside_a_district_after_the_district_rule_is_noted() {
    // The Gare du Midi's circle lies inside the district's polygon; the
    // Gare du Nord's reaches past its northern edge (50.86).
    let file = |hotspot: &str| {
        format!(
            "[[zone]]\nname = \"centre\"\n\
             polygon = [[50.83, 4.33], [50.83, 4.37], [50.86, 4.37], [50.86, 4.33]]\n\
             [[zone]]\nname = \"midi\"\ncircle = {{ centre = [50.8355, 4.336], radius_m = 200 }}\n\
             [[zone]]\nname = \"nord\"\ncircle = {{ centre = [50.8605, 4.3615], radius_m = 200 }}\n\
             [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n\
             [[rule]]\nname = \"p2-centre\"\npriorities = [2]\nzones = [\"centre\"]\naction = \"review\"\n\
             [[rule]]\nname = \"p2-hotspot\"\npriorities = [2]\nzones = [\"{hotspot}\"]\n\
             action = \"dispatch\"\n"
        )
    };
    let p = PolicyFile::parse(&file("midi")).unwrap();
    assert_eq!(
        p.notes(),
        [
            "rule 3 (\"p2-hotspot\", dispatch) never applies: rule 2 (\"p2-centre\", review) \
          before it takes every hit it would; move it above, or narrow the earlier one"
        ]
    );
    let p = PolicyFile::parse(&file("nord")).unwrap();
    assert!(p.notes().is_empty(), "{:?}", p.notes());
}

#[test]
fn a_rule_behind_one_that_takes_its_hits_is_noted_and_so_is_p0_dropped() {
    // A hotspot rule after `p2-not-local`, and a rule before
    // everything that drops priority 0.
    let p = PolicyFile::parse(
        "[[zone]]\nname = \"midi\"\ncircle = { centre = [50.8355, 4.336], radius_m = 200 }\n\
         [[rule]]\nname = \"no-p0\"\npriorities = [0]\naction = \"drop\"\n\
         [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n\
         [[rule]]\nname = \"p2-not-local\"\npriorities = [2]\naction = \"drop\"\n\
         [[rule]]\nname = \"p2-midi\"\npriorities = [2]\nzones = [\"midi\"]\n\
         action = \"dispatch\"\n",
    )
    .unwrap();
    assert_eq!(
        p.notes(),
        [
            "rule 4 (\"p2-midi\", dispatch) never applies: rule 3 (\"p2-not-local\", drop) \
             before it takes every hit it would; move it above, or narrow the earlier one",
            "no rule forwards a priority-0 hit: every one is dropped",
        ]
    );
    // With recipients, a rule that forwards to none is said, and a
    // recipient that only a dead rule, or a dropping one, names (one
    // that takes unknown rules' hits may still get some).
    let p = PolicyFile::parse(
        "[[recipient]]\nname = \"room\"\n[[recipient]]\nname = \"wpr\"\n\
         [[recipient]]\nname = \"team\"\n[[recipient]]\nname = \"any\"\n\
         unknown_rules = true\n\
         [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n\
         recipients = [\"room\"]\n\
         [[rule]]\nname = \"p2-review\"\npriorities = [2]\naction = \"review\"\n\
         [[rule]]\nname = \"rest\"\naction = \"drop\"\nrecipients = [\"team\"]\n\
         [[rule]]\nname = \"p1-wpr\"\npriorities = [1]\naction = \"dispatch\"\n\
         recipients = [\"wpr\"]\n",
    )
    .unwrap();
    assert_eq!(
        p.notes(),
        [
            "rule 4 (\"p1-wpr\", dispatch) never applies: rule 1 (\"p0-p1\", dispatch) \
             before it takes every hit it would; move it above, or narrow the earlier one",
            "rule 2 (\"p2-review\", review) names no recipient: the zone gate sends its \
             hits to nobody (counted as unrouted)",
            "rule 3 (\"rest\", drop) names recipients, but it drops: they get nothing from it",
            "recipient \"wpr\" is named by no rule that forwards: it gets nothing",
            "recipient \"team\" is named by no rule that forwards: it gets nothing",
        ]
    );
    // The baseline's rules name no recipient.
    let p = PolicyFile::parse("[[recipient]]\nname = \"room\"\n").unwrap();
    assert_eq!(p.notes().len(), 3, "p0-p1, p2-local, room: {:?}", p.notes());
    // The rules the generator writes, and the baseline, say nothing.
    assert!(PolicyFile::parse("").unwrap().notes().is_empty());
    let generated = brussels_toml(&[], &Config::default());
    assert!(PolicyFile::parse(&generated).unwrap().notes().is_empty());
    let zone = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/policies/brussels-zone.toml"
    );
    let zone = PolicyFile::parse(&std::fs::read_to_string(zone).unwrap()).unwrap();
    assert!(zone.policy.rules.len() > 4 && zone.notes().is_empty());
}

#[test]
fn a_rule_for_kinds_of_match_its_lists_never_give_is_noted() {
    // The national lists match exactly; only "stolen" allows look-alikes.
    let lists = "[[list]]\nname = \"stolen\"\ntolerance = { ocr = 1, edits = 0, min_len = 5 }\n\
                 [[list]]\nname = \"wanted\"\ntolerance = { ocr = 0, edits = 0, min_len = 5 }\n\
                 [[list]]\nname = \"insurance\"\ntolerance = { ocr = 0, edits = 0, min_len = 5 }\n";
    let file = |rules: &str| {
        PolicyFile::parse(&format!("{lists}{rules}"))
            .unwrap()
            .notes()
    };
    // Tolerant hits on the exact lists: none can come.
    assert_eq!(
        file(
            "[[rule]]\nname = \"tolerant-wanted\"\nlists = [\"wanted\", \"insurance\"]\n\
              kinds = [\"ocr\", \"edit\"]\naction = \"review\"\n\
              [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n"
        ),
        [
            "rule 1 (\"tolerant-wanted\", review) never applies: none of the lists it takes \
          gives the kinds of match it asks for (a list with ocr = 0 gives no ocr hit, one with \
          edits = 0 no edit hit)"
        ]
    );
    // Every stolen car dispatched first: a rule for tolerant hits of any
    // list comes too late, as only the stolen list gives them.
    assert_eq!(
        file(
            "[[rule]]\nname = \"stolen\"\nlists = [\"stolen\"]\naction = \"dispatch\"\n\
              [[rule]]\nname = \"tolerant\"\nkinds = [\"ocr\", \"edit\"]\naction = \"review\"\n\
              [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n"
        ),
        [
            "rule 2 (\"tolerant\", review) never applies: rule 1 (\"stolen\", dispatch) before \
          it takes every hit it would; move it above, or narrow the earlier one"
        ]
    );
    // With the stolen list's exact hits alone first, the rule still has
    // its tolerant ones.
    assert!(
        file(
            "[[rule]]\nname = \"stolen\"\nlists = [\"stolen\"]\nkinds = [\"exact\"]\n\
                  action = \"dispatch\"\n\
                  [[rule]]\nname = \"tolerant\"\nkinds = [\"ocr\"]\naction = \"review\"\n\
                  [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n"
        )
        .is_empty()
    );
}

#[test]
fn rules_for_operations_are_weighed_by_their_windows_and_hours() {
    // The morning's checks at the station, within the day's operation and
    // within weekday mornings; 2026-01-05 is a Monday.
    let head = "[[schedule]]\nname = \"mornings\"\n\
                days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\"]\n\
                from = \"06:00\"\nto = \"10:00\"\n\
                [[schedule]]\nname = \"night\"\n\
                days = [\"mon\", \"tue\", \"wed\", \"thu\", \"fri\", \"sat\", \"sun\"]\n\
                from = \"22:00\"\nto = \"06:00\"\n\
                [[operation]]\nname = \"day\"\n\
                start = \"2026-01-05T05:00:00Z\"\nend = \"2026-01-05T18:00:00Z\"\n\
                [[operation]]\nname = \"checks\"\n\
                start = \"2026-01-05T07:00:00Z\"\nend = \"2026-01-05T09:00:00Z\"\n\
                [[list]]\nname = \"wanted\"\ntolerance = { ocr = 0, edits = 0, min_len = 5 }\n\
                [[rule]]\nname = \"p0-p1\"\npriorities = [0, 1]\naction = \"dispatch\"\n";
    let notes = |rules: &str| {
        PolicyFile::parse(&format!("{head}{rules}"))
            .unwrap()
            .notes()
    };
    let checks = "[[rule]]\nname = \"p2-checks\"\npriorities = [2]\noperation = \"checks\"\n\
                  action = \"dispatch\"\n";
    assert_eq!(
        notes(&format!(
            "[[rule]]\nname = \"p2-day\"\npriorities = [2]\noperation = \"day\"\n\
             action = \"review\"\n{checks}"
        )),
        [
            "rule 3 (\"p2-checks\", dispatch) never applies: rule 2 (\"p2-day\", review) before \
          it takes every hit it would; move it above, or narrow the earlier one"
        ]
    );
    assert_eq!(
        notes(&format!(
            "[[rule]]\nname = \"p2-mornings\"\npriorities = [2]\nschedules = [\"mornings\"]\n\
             action = \"review\"\n{checks}"
        )),
        [
            "rule 3 (\"p2-checks\", dispatch) never applies: rule 2 (\"p2-mornings\", review) \
          before it takes every hit it would; move it above, or narrow the earlier one"
        ]
    );
    // The other way round, each has hits of its own.
    assert!(
        notes(&format!(
            "{checks}[[rule]]\nname = \"p2-day\"\npriorities = [2]\noperation = \"day\"\n\
             action = \"review\"\n"
        ))
        .is_empty()
    );
    // The night during the morning's checks: never; tolerant hits of an
    // exact list during them: never; both: the first said.
    let rule = |extra: &str| {
        format!(
            "[[rule]]\nname = \"p2\"\npriorities = [2]\noperation = \"checks\"\n{extra}\
             action = \"dispatch\"\n"
        )
    };
    assert_eq!(
        notes(&rule("schedules = [\"night\"]\n")),
        [
            "rule 2 (\"p2\", dispatch) never applies: none of its schedules is ever in force \
          during its operation"
        ]
    );
    assert_eq!(
        notes(&rule("kinds = [\"ocr\"]\n")),
        [
            "rule 2 (\"p2\", dispatch) never applies: none of the lists it takes gives the kinds \
          of match it asks for (a list with ocr = 0 gives no ocr hit, one with edits = 0 no \
          edit hit)"
        ]
    );
    assert_eq!(
        notes(&rule("schedules = [\"night\"]\nkinds = [\"ocr\"]\n")),
        [
            "rule 2 (\"p2\", dispatch) never applies: none of its schedules is ever in force \
          during its operation"
        ]
    );
}

#[test]
fn a_rule_may_name_the_64th_zone() {
    // Its bit, 1 << 63, is beyond a TOML integer: the mask is not passed
    // through one.
    let mut file = String::new();
    for i in 0..64 {
        let lat = 50.0 + f64::from(i) * 0.01;
        file += &format!(
            "[[zone]]\nname = \"z{i}\"\ncircle = {{ centre = [{lat:.2}, 4.35], radius_m = 100 }}\n"
        );
    }
    file += "[[rule]]\nname = \"last-two\"\nzones = [\"z62\", \"z63\"]\naction = \"dispatch\"\n";
    let p = PolicyFile::parse(&file).unwrap();
    assert_eq!(p.policy.rules[0].zones, 0b11 << 62);
    let in_z63 = p.places.view().zones_of(Some(
        hitgate_core::read::Position::from_degrees(50.63, 4.35).unwrap(),
    ));
    assert_eq!(in_z63, 1 << 63);
}

#[test]
fn a_budget_for_priority_0_is_refused_as_it_would_be_ignored() {
    for (text, says) in [
        (
            "[config.budgets.p0]\nburst = 5\nper_hour = 10\n",
            "[config] budgets names p0: priority 0 is never throttled (leave it out)",
        ),
        (
            "[[recipient]]\nname = \"room\"\nbudgets = { p0 = { burst = 1, per_hour = 2 } }\n",
            "recipient \"room\": budgets names p0: priority 0 is never throttled",
        ),
    ] {
        let e = format!("{:#}", PolicyFile::parse(text).unwrap_err());
        assert!(e.contains(says), "{e}");
    }
    // A --config file too.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("config.toml");
    std::fs::write(&path, "[budgets.p0]\nburst = 5\nper_hour = 10\n").unwrap();
    let e = format!("{:#}", PolicyFile::load_config(&path).unwrap_err());
    assert!(e.contains("budgets names p0"), "{e}");
    // p1 stays allowed.
    std::fs::write(&path, "[budgets.p1]\nburst = 5\nper_hour = 10\n").unwrap();
    assert!(PolicyFile::load_config(&path).is_ok());
}

#[test]
fn errors_name_the_problem() {
    let e = PolicyFile::parse("[[rule]]\nname = \"x\"\nlists = [\"nope\"]\naction = \"drop\"\n")
        .unwrap_err();
    assert!(
        format!("{e:#}").contains("rule 1 (\"x\"): unknown list \"nope\""),
        "{e:#}"
    );
    let e = PolicyFile::parse("[[rule]]\nname = \"x\"\npriorities = [7]\naction = \"drop\"\n")
        .unwrap_err();
    assert!(
        format!("{e:#}").contains("priority must be 0 to 4"),
        "{e:#}"
    );
    // An empty set would be "any" to the core: refused, as for zones.
    for (key, value) in [
        ("priorities", "[]"),
        ("lists", "[]"),
        ("kinds", "[]"),
        ("cameras", "[]"),
    ] {
        let e = PolicyFile::parse(&format!(
            "[[rule]]\nname = \"x\"\n{key} = {value}\naction = \"dispatch\"\n"
        ))
        .unwrap_err();
        assert_eq!(
            format!("{e:#}").split(": ").take(3).collect::<Vec<_>>(),
            ["rule 1 (\"x\")", key, "empty"],
            "{e:#}"
        );
    }
    let e = PolicyFile::parse("[[rule]]\nname = \"\"\naction = \"drop\"\n").unwrap_err();
    assert!(format!("{e:#}").contains("a rule needs a name"), "{e:#}");
    let e = PolicyFile::parse(
        "[[rule]]\nname = \"x\"\ncameras = [\"a\", \"b\", \"c\", \"d\", \"e\"]\naction = \"drop\"\n",
    )
    .unwrap_err();
    assert!(
        format!("{e:#}").contains("cameras: 5 patterns; a rule holds at most 4"),
        "{e:#}"
    );
    let four =
        "[[rule]]\nname = \"x\"\ncameras = [\"a\", \"b\", \"c\", \"d\"]\naction = \"drop\"\n";
    assert_eq!(
        PolicyFile::parse(four).unwrap().policy.rules[0]
            .cameras
            .len(),
        4
    );
    let e = PolicyFile::parse("[config]\nmode = \"fast\"\n").unwrap_err();
    assert!(format!("{e:#}").contains("[config]"), "{e:#}");
    let e = PolicyFile::parse("[[list]]\nname = \"a\"\n[[list]]\nname = \"a\"\n").unwrap_err();
    assert!(format!("{e:#}").contains("declared twice"), "{e:#}");
    let e = PolicyFile::parse("bogus = 1\n").unwrap_err();
    assert!(format!("{e:#}").contains("bogus"), "{e:#}");
}

#[test]
fn a_recipient_acknowledges_only_when_it_says_so() {
    let pf = PolicyFile::parse(
        "[[recipient]]\nname = \"room\"\n[[recipient]]\nname = \"wpr\"\nacks = true\n",
    )
    .unwrap();
    let acks: Vec<(&str, bool)> = pf
        .recipients
        .iter()
        .map(|r| (r.name.as_str(), r.acks))
        .collect();
    assert_eq!(acks, [("room", false), ("wpr", true)]);
    let e = PolicyFile::parse("[[recipient]]\nname = \"wpr\"\nacks = \"yes\"\n").unwrap_err();
    assert!(format!("{e:#}").contains("acks"), "{e:#}");
}

#[test]
fn a_recipients_most_open_dispatches_are_read_per_priority() {
    let pf = PolicyFile::parse(
        "[[recipient]]\nname = \"room\"\nmax_open = { p1 = 4, p2 = 0 }\n[[recipient]]\nname = \"wpr\"\n",
    )
    .unwrap();
    let caps: Vec<_> = pf.recipients.iter().map(|r| r.max_open.0).collect();
    assert_eq!(
        caps,
        [[None, Some(4), Some(0), None, None], [None; 5]],
        "{caps:?}"
    );
    assert_eq!(crate::gate::gate_config(&pf).max_open[0].0[1], Some(4));
    let pf = PolicyFile::parse(
        "[[recipient]]\nname = \"wpr\"\nmax_delay_s = 600\n[[recipient]]\nname = \"room\"\n",
    )
    .unwrap();
    assert_eq!(
        crate::gate::gate_config(&pf).max_delay_ms[..2],
        [Some(600_000), None]
    );
    for (text, want) in [
        ("max_delay_s = -5", "max_delay_s"),
        ("max_delay_s = 5000000", "at most 4294967 seconds"),
    ] {
        let e =
            PolicyFile::parse(&format!("[[recipient]]\nname = \"room\"\n{text}\n")).unwrap_err();
        assert!(format!("{e:#}").contains(want), "{text}: {e:#}");
    }
    for (text, want) in [
        ("max_open = { p0 = 3 }", "priority 0 is never held back"),
        ("max_open = { p9 = 3 }", "p9"),
        ("max_open = { p1 = -1 }", "max_open"),
        ("max_open = { p1 = \"many\" }", "max_open"),
    ] {
        let e =
            PolicyFile::parse(&format!("[[recipient]]\nname = \"room\"\n{text}\n")).unwrap_err();
        assert!(format!("{e:#}").contains(want), "{text}: {e:#}");
    }
}

#[test]
fn a_recipients_outcomes_are_words_it_declares() {
    let pf = PolicyFile::parse(
        "[[recipient]]\nname = \"wpr\"\noutcomes = [\"intercepted\", \"not-found\"]\n\
         [[recipient]]\nname = \"room\"\n",
    )
    .unwrap();
    let (wpr, room) = (&pf.recipients[0], &pf.recipients[1]);
    assert!(wpr.takes_outcome("intercepted") && wpr.takes_outcome("not-found"));
    assert!(!wpr.takes_outcome("no-action"));
    // Without a list, any word; never a sentence.
    assert!(room.takes_outcome("no-action") && room.takes_outcome("x_1"));
    for bad in ["", "Intercepted", "seen by J. Doe", "a/b", &"x".repeat(33)] {
        assert!(!room.takes_outcome(bad), "{bad:?}");
    }
    assert!(room.takes_outcome(&"x".repeat(32)));
    for (text, want) in [
        ("outcomes = [\"two words\"]", "a word of 1 to 32"),
        ("outcomes = [\"a\", \"a\"]", "listed twice"),
        ("outcomes = \"a\"", "outcomes"),
    ] {
        let e =
            PolicyFile::parse(&format!("[[recipient]]\nname = \"room\"\n{text}\n")).unwrap_err();
        assert!(format!("{e:#}").contains(want), "{text}: {e:#}");
    }
}

#[test]
fn the_recipients_of_unknown_rules_are_those_that_say_so() {
    let three = |flags: [&str; 3]| {
        let mut t = String::new();
        for (name, flag) in ["room", "wpr", "desk"].iter().zip(flags) {
            t += &format!("[[recipient]]\nname = \"{name}\"\n{flag}");
        }
        PolicyFile::parse(&t).unwrap().unknown_rules_mask()
    };
    assert_eq!(three(["", "", ""]), 0);
    assert_eq!(three(["", "", "unknown_rules = true\n"]), 0b100);
    assert_eq!(
        three(["unknown_rules = true\n", "", "unknown_rules = true\n"]),
        0b101
    );
    assert_eq!(three(["unknown_rules = false\n", "", ""]), 0);
    let e = PolicyFile::parse("[[recipient]]\nname = \"desk\"\nunknown_rules = 1\n").unwrap_err();
    assert!(format!("{e:#}").contains("unknown_rules"), "{e:#}");
}

/// A `[[rule]]` table for one priority.
fn rule_toml(name: &str, priority: u8, action: &str) -> String {
    format!("[[rule]]\nname = \"{name}\"\npriorities = [{priority}]\naction = \"{action}\"\n")
}

#[test]
fn an_empty_rule_list_is_refused_not_a_drop_all() {
    let e = PolicyFile::parse("rule = []\n").unwrap_err();
    assert!(format!("{e:#}").contains("would drop every hit"), "{e:#}");
    // Leaving `rule` out is the baseline.
    assert_eq!(PolicyFile::parse("").unwrap().policy, Policy::brussels());
}

#[test]
fn two_rules_with_one_name_are_refused_naming_both() {
    let rule = rule_toml("same", 0, "dispatch");
    let other = rule_toml("other", 1, "dispatch");
    let e = PolicyFile::parse(&format!("{rule}{other}{rule}")).unwrap_err();
    let e = format!("{e:#}");
    assert!(e.contains("rules 1 and 3 are both named \"same\""), "{e}");
    PolicyFile::parse(&format!("{rule}{other}")).unwrap();
}

#[test]
fn a_rule_past_the_policys_capacity_is_refused_by_number() {
    let rules = |n: u8| {
        (0..n)
            .map(|i| rule_toml(&format!("r{i}"), 0, "drop"))
            .collect::<String>()
    };
    let e = format!("{:#}", PolicyFile::parse(&rules(33)).unwrap_err());
    assert!(
        e.contains("rule 33: a policy holds at most 32 rules"),
        "{e}"
    );
    assert_eq!(
        PolicyFile::parse(&rules(32)).unwrap().policy.rules.len(),
        32
    );
}

#[test]
fn a_config_file_with_lists_or_rules_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let p = d.path().join("c.toml");
    let whole = format!(
        "[config]\nmode = \"first-read\"\n{}",
        rule_toml("x", 0, "drop")
    );
    std::fs::write(&p, whole).unwrap();
    let e = format!("{:#}", PolicyFile::load_config(&p).unwrap_err());
    assert!(e.contains("has [[rule]]") && e.contains("--policy"), "{e}");
    std::fs::write(&p, "mode = \"first-read\"\n").unwrap();
    let mode = PolicyFile::load_config(&p).unwrap().mode;
    assert_eq!(mode, hitgate_core::unit::Mode::FirstRead);
}
