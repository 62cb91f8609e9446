//! The activity record and the notices derived from it: what a pull brings is recorded
//! with who brought it, the user hears once of what concerns them and never of their own
//! changes, and the review figures come out of the recorded status changes.

use deepen_emulator::{Action, DatasetSpec, LabellingMode, Role};
use dtasks_core::activity::{
    ActivityCursor, ActivityEntry, ActivityKind, ActivityQuery, ReviewQuery, Source,
};
use dtasks_core::notices::{self, NoticeKind, NoticeKinds};
use dtasks_core::{ActionKind, Preferences, Resolution, Scope};

use crate::common::Harness;

fn entry(at: i64, task: &str, person: &str, old: &str, new: &str) -> ActivityEntry {
    ActivityEntry {
        id: 0,
        at,
        source: Source::Server,
        kind: ActivityKind::Status,
        task_id: task.into(),
        dataset_id: "ds".into(),
        person: Some(person.into()),
        old: Some(old.into()),
        new: Some(new.into()),
        note: None,
    }
}

#[tokio::test]
async fn a_first_sync_is_not_news_but_tasks_assigned_and_rejected_later_are_told_once() {
    let h = Harness::new(Role::Annotator).await;
    let me = h.user.email.clone();
    let first =
        h.ws.store()
            .mirror_reader()
            .activity(&ActivityQuery::default())
            .unwrap();
    assert!(
        first.entries.is_empty(),
        "a first sync records nothing: {first:?}"
    );

    // I submit one of my tasks (my own change), then a reviewer rejects it with a reason.
    let mine = h.mine_with("ready").remove(0);
    h.ws.act(
        ActionKind::Submit,
        std::slice::from_ref(&mine.task_id),
        None,
    )
    .unwrap();
    let pushed = h.drain().await;
    assert!(
        pushed.notices.is_empty(),
        "my own submit is not news: {:?}",
        pushed.notices
    );
    let admin = h.control.user(Role::Admin);
    h.control
        .act(
            &admin.email,
            Action::Reject {
                task_id: mine.task_id.clone(),
                reason: Some("Boxes too loose on the cyclist".into()),
            },
        )
        .unwrap();
    // Someone gives me a new dataset's tasks.
    let dataset = h.control.add_dataset(DatasetSpec {
        name: "Night drive".into(),
        mode: LabellingMode::FrameByFrame,
        units: 6,
        stages: vec!["Labelling".into()],
        assign: true,
    });
    let round = h.engine.sync_once(Scope::Full, None).await.unwrap();

    let rejected = round
        .notices
        .iter()
        .find(|n| n.kind == NoticeKind::Rejected)
        .unwrap_or_else(|| panic!("a rejection notice: {:?}", round.notices));
    assert_eq!(rejected.task_ids, vec![mine.task_id.clone()]);
    assert_eq!(
        rejected.reasons,
        vec!["Boxes too loose on the cyclist".to_string()]
    );
    let assigned = round
        .notices
        .iter()
        .find(|n| n.kind == NoticeKind::Assigned)
        .unwrap_or_else(|| panic!("an assignment notice: {:?}", round.notices));
    assert_eq!(assigned.dataset_id, dataset);
    assert_eq!(assigned.dataset_name.as_deref(), Some("Night drive"));
    let given: Vec<String> = h
        .control
        .tasks_of(&dataset)
        .into_iter()
        .filter(|t| t["assignee"].as_str() == Some(me.as_str()))
        .map(|t| t["task_id"].as_str().unwrap().to_string())
        .collect();
    assert!(!given.is_empty());
    assert_eq!(assigned.task_ids, given, "one notice for all of them");

    // Told once.
    let again = h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert!(again.notices.is_empty(), "{:?}", again.notices);

    // The task's history: my submit (this device), then the reviewer's reject (a pull).
    let history =
        h.ws.store()
            .mirror_reader()
            .task_history(&mine.task_id)
            .unwrap();
    let statuses: Vec<(Source, Option<&str>, Option<&str>)> = history
        .iter()
        .filter(|e| e.kind == ActivityKind::Status)
        .map(|e| (e.source, e.old.as_deref(), e.new.as_deref()))
        .collect();
    assert_eq!(
        statuses,
        vec![
            (Source::Device, Some("ready"), Some("submitted")),
            (Source::Server, Some("submitted"), Some("rejected")),
        ]
    );
    let reject = history
        .iter()
        .find(|e| e.new.as_deref() == Some("rejected"))
        .unwrap();
    assert_eq!(
        reject.note.as_deref(),
        Some("Boxes too loose on the cyclist")
    );
    assert_eq!(reject.person.as_deref(), Some(me.as_str()));
    let action = history
        .iter()
        .find(|e| e.kind == ActivityKind::Action)
        .expect("the submit's outcome is recorded");
    assert_eq!(
        (action.old.as_deref(), action.new.as_deref()),
        (Some("submit"), Some("done"))
    );
}

#[tokio::test]
async fn my_own_reassignment_is_not_news_and_kinds_turned_off_stay_quiet() {
    let h = Harness::new(Role::Admin).await;
    let me = h.user.email.clone();
    let free = h
        .tasks(dtasks_core::TaskQuery {
            assignee: Some(dtasks_core::AssigneeFilter::Unassigned),
            statuses: vec!["ready".into()],
            ..Default::default()
        })
        .into_iter()
        .take(2)
        .collect::<Vec<_>>();
    assert_eq!(free.len(), 2);
    h.ws.assign(std::slice::from_ref(&free[0].task_id), Some(&me))
        .unwrap();
    let round = h.drain().await;
    assert!(round.notices.is_empty(), "{:?}", round.notices);
    let mine =
        h.ws.store()
            .mirror_reader()
            .task_history(&free[0].task_id)
            .unwrap();
    assert!(
        mine.iter()
            .any(|e| e.kind == ActivityKind::Assignee && e.source == Source::Device),
        "{mine:?}"
    );

    // Someone else gives me the other one, but I turned assignment notices off.
    let off = Preferences {
        notify: NoticeKinds {
            assigned: false,
            ..NoticeKinds::default()
        },
        ..Preferences::default()
    };
    h.ws.set_preferences(&off).unwrap();
    let other_admin = h.control.user(Role::Admin);
    h.control
        .act(
            &other_admin.email,
            Action::Assign {
                dataset_id: free[1].dataset_id.clone(),
                task_type: free[1].task_type.clone(),
                assignments: vec![(free[1].task_id.clone(), Some(me.clone()))],
            },
        )
        .unwrap();
    let round = h.engine.sync_once(Scope::Full, None).await.unwrap();
    assert!(round.notices.is_empty(), "{:?}", round.notices);
    // It was recorded all the same.
    let page =
        h.ws.store()
            .mirror_reader()
            .activity(&ActivityQuery {
                person: Some(me.clone()),
                kinds: vec![ActivityKind::Assignee],
                ..Default::default()
            })
            .unwrap();
    assert_eq!(page.entries[0].task_id, free[1].task_id);
    assert_eq!(page.entries[0].source, Source::Server);
}

#[tokio::test]
async fn an_action_that_needs_a_decision_is_told_and_discarding_it_is_recorded() {
    let h = Harness::new(Role::Annotator).await;
    let (row, round) = h.submit_offline_while_reassigned_elsewhere().await;
    assert_eq!(round.push.needs_attention, 1);
    let decide: Vec<_> = round
        .notices
        .iter()
        .filter(|n| n.kind == NoticeKind::NeedsDecision)
        .collect();
    assert_eq!(decide.len(), 1, "{:?}", round.notices);
    assert_eq!(decide[0].task_ids, vec![row.task_id.clone()]);
    // Taken away from me: not news for me (it is the other annotator's).
    assert!(round.notices.iter().all(|n| n.kind != NoticeKind::Assigned));

    let op = h.ws.queue(false).unwrap().remove(0);
    h.ws.resolve(&op.op_id, Resolution::Discard).unwrap();
    let history =
        h.ws.store()
            .mirror_reader()
            .task_history(&row.task_id)
            .unwrap();
    let outcomes: Vec<Option<&str>> = history
        .iter()
        .filter(|e| e.kind == ActivityKind::Action)
        .map(|e| e.new.as_deref())
        .collect();
    assert_eq!(outcomes, vec![Some("needs_decision"), Some("discarded")]);
}

#[tokio::test]
async fn tasks_of_mine_that_fall_due_are_late_news_once_and_not_those_i_already_acted_on() {
    let h = Harness::new(Role::Annotator).await;
    let me = h.user.email.clone();
    let mine = h.mine_with("ready");
    assert!(mine.len() >= 2);
    // I submitted one offline: not late for me.
    h.offline();
    h.ws.act(
        ActionKind::Submit,
        std::slice::from_ref(&mine[0].task_id),
        None,
    )
    .unwrap();
    let wanted = NoticeKinds::default();
    let mirror = h.ws.store().mirror();
    let look = |now: i64| {
        let gathered = notices::gather(&mirror, &me, &wanted, now).unwrap();
        let own =
            h.ws.store()
                .outbox()
                .of_tasks(&gathered.tasks_to_check())
                .unwrap();
        gathered.finish(&mirror, &own, &me).unwrap()
    };
    let start = dtasks_core::clock::now_millis();
    // The sync rounds of the harness started the watch; look from far ahead.
    let later = start + 400 * 24 * 3600 * 1000;
    let notices = look(later);
    let late: Vec<&String> = notices
        .iter()
        .filter(|n| n.kind == NoticeKind::Late)
        .flat_map(|n| &n.task_ids)
        .collect();
    assert!(late.contains(&&mine[1].task_id), "{notices:?}");
    assert!(
        !late.contains(&&mine[0].task_id),
        "acted on: not late for me"
    );
    // Exactly my open tasks that fall due in between, less the one I acted on.
    let mut expected: Vec<String> = h
        .tasks(dtasks_core::TaskQuery {
            assignee: Some(dtasks_core::AssigneeFilter::Is(me.clone())),
            ..Default::default()
        })
        .into_iter()
        .filter(|r| r.server_status.is_open() && r.task_id != mine[0].task_id)
        .filter(|r| r.due_at_millis.is_some_and(|d| d > start && d <= later))
        .map(|r| r.task_id)
        .collect();
    let mut late: Vec<String> = late.into_iter().cloned().collect();
    expected.sort();
    late.sort();
    assert_eq!(late, expected);
    // Told once.
    let again = look(later + 1);
    assert!(
        again.iter().all(|n| n.kind != NoticeKind::Late),
        "{again:?}"
    );
}

#[tokio::test]
async fn the_review_panel_counts_and_times_what_was_seen_in_the_period() {
    let h = Harness::new(Role::Annotator).await;
    let mut mirror = h.ws.store().mirror();
    let min = 60_000;
    let day = 24 * 60 * min;
    let t0 = 1_000 * day;
    mirror
        .insert_activity(&[
            // a: submitted before the period, accepted in it after 30 min.
            entry(t0 - 30 * min, "a", "ana", "in_progress", "submitted"),
            entry(t0, "a", "ana", "submitted", "accepted"),
            // b: submitted, rejected after 10 min, rejected for 2 h, submitted, accepted after 20 min.
            entry(t0 + min, "b", "ana", "ready", "submitted"),
            entry(t0 + 11 * min, "b", "ana", "submitted", "rejected"),
            entry(t0 + 131 * min, "b", "ana", "rejected", "submitted"),
            entry(t0 + 151 * min, "b", "ana", "submitted", "accepted"),
            // c: submitted, then reviewed after the period ends.
            entry(t0 + 2 * min, "c", "ana", "ready", "submitted"),
            entry(t0 + 2 * day, "c", "ana", "submitted", "rejected"),
            // Bo: one rejection whose submit this device never saw.
            entry(t0 + 5 * min, "d", "bo", "submitted", "rejected"),
            // Another dataset's, and before the period: not counted.
            ActivityEntry {
                dataset_id: "other".into(),
                ..entry(t0 + 6 * min, "e", "ana", "ready", "submitted")
            },
            entry(t0 - 2 * day, "f", "ana", "ready", "submitted"),
        ])
        .unwrap();
    drop(mirror);
    let reader = h.ws.store().mirror_reader();
    let period = ReviewQuery {
        from: t0,
        to: t0 + day,
        person: None,
        dataset_id: Some("ds".into()),
    };
    let rows = reader.review(&period).unwrap();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let ana = &rows[0];
    assert_eq!(ana.person, "ana");
    assert_eq!((ana.submitted, ana.accepted, ana.rejected), (3, 2, 1));
    assert_eq!(ana.reject_rate, Some(1.0 / 3.0));
    // Waits 30, 10 and 20 minutes: median 20.
    assert_eq!(ana.median_review_ms, Some(20 * min));
    assert_eq!(ana.median_rejected_ms, Some(120 * min));
    let bo = &rows[1];
    assert_eq!(
        (bo.person.as_str(), bo.rejected, bo.reject_rate),
        ("bo", 1, Some(1.0))
    );
    assert_eq!(bo.median_review_ms, None, "the submit was not seen");
    // One person's panel is the same row.
    let only_ana = reader
        .review(&ReviewQuery {
            person: Some("ana".into()),
            ..period.clone()
        })
        .unwrap();
    assert_eq!(only_ana, vec![ana.clone()]);
}

#[tokio::test]
async fn the_activity_list_pages_newest_first_with_filters_and_old_changes_are_pruned() {
    let h = Harness::new(Role::Annotator).await;
    let mut mirror = h.ws.store().mirror();
    let now = dtasks_core::clock::now_millis();
    let day = 24 * 3600 * 1000;
    let mut entries: Vec<ActivityEntry> = (0..25)
        .map(|i| {
            entry(
                now - i * 1000,
                &format!("t{i}"),
                if i % 2 == 0 { "ana" } else { "bo" },
                "ready",
                "submitted",
            )
        })
        .collect();
    // Two at the same time: the cursor tells them apart.
    entries.push(entry(now - 3000, "same-time", "ana", "ready", "submitted"));
    entries.push(entry(now - 91 * day, "old", "ana", "ready", "submitted"));
    mirror.insert_activity(&entries).unwrap();

    let mut seen = Vec::new();
    let mut before: Option<ActivityCursor> = None;
    loop {
        let page = mirror
            .activity(&ActivityQuery {
                person: Some("ana".into()),
                before,
                limit: 4,
                ..Default::default()
            })
            .unwrap();
        assert!(page.entries.len() <= 4);
        seen.extend(page.entries.iter().map(|e| e.task_id.clone()));
        match page.next {
            Some(next) => before = Some(next),
            None => break,
        }
    }
    let mut expected: Vec<String> = (0..25)
        .filter(|i| i % 2 == 0)
        .map(|i| format!("t{i}"))
        .collect();
    expected.insert(2, "same-time".into());
    expected.push("old".into());
    assert_eq!(seen, expected);

    assert_eq!(
        mirror.prune_activity(now).unwrap(),
        1,
        "only the 91-day-old one"
    );
    let all = mirror
        .activity(&ActivityQuery {
            limit: 1000,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(all.entries.len(), 26);
    assert!(all.entries.iter().all(|e| e.task_id != "old"));
    let bo_only = mirror
        .activity(&ActivityQuery {
            person: Some("bo".into()),
            kinds: vec![ActivityKind::Assignee],
            ..Default::default()
        })
        .unwrap();
    assert!(bo_only.entries.is_empty(), "bo has status changes only");
}
