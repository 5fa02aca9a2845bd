//! The jobs panel, driven by egui_kittest with fake engine events.

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use r2v_studio::core::spend::{Budget, Cap, OverBudget, Totals};
use r2v_studio::core::{
    AspectRatio, GenerationSpec, Lang, Model, RefSource, Reference, Seed, Tier,
};
use r2v_studio::engine::{
    Command, Event, Job, JobError, JobId, JobState, Refusal, SpendReport, TakeSet,
};
use r2v_studio::ui::app::AppState;
use r2v_studio::ui::command::AppCommand;
use r2v_studio::ui::jobs::StateFilter;

mod common;
use common::harness;

fn spec() -> GenerationSpec {
    GenerationSpec {
        model: Model::V56,
        references: vec![
            Reference {
                name: "男人".into(),
                source: RefSource::Url("https://example.com/m.png".into()),
            },
            Reference {
                name: "吉他".into(),
                source: RefSource::Url("https://example.com/g.png".into()),
            },
        ],
        prompt: "@男人 弹@吉他，微笑\n第二行".into(),
        tier: Tier::P1080,
        ratio: AspectRatio::R9x16,
        duration: 8,
        audio: true,
        watermark: true,
        seed: Seed::Fixed(1234),
    }
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Steps frames (job thumbnails spin until a load answer arrives).
fn frames(h: &mut Harness<'static, AppState>) {
    h.run_steps(3);
}

/// Drags the jobs panel's top edge up, as a user would to see more rows.
fn taller_jobs_panel(h: &mut Harness<'static, AppState>) {
    let button = |pressed, y| egui::Event::PointerButton {
        pos: egui::pos2(640.0, y),
        button: egui::PointerButton::Primary,
        pressed,
        modifiers: egui::Modifiers::NONE,
    };
    let top = 800.0 - 230.0;
    for event in [
        egui::Event::PointerMoved(egui::pos2(640.0, top)),
        button(true, top),
        egui::Event::PointerMoved(egui::pos2(640.0, top - 100.0)),
        egui::Event::PointerMoved(egui::pos2(640.0, 250.0)),
        button(false, 250.0),
    ] {
        h.event(event);
        h.step();
    }
    frames(h);
}

fn send(h: &mut Harness<'static, AppState>, job: &Job) {
    h.state_mut().apply(Event::Job(Box::new(job.clone())));
    frames(h);
}

#[test]
fn a_job_moving_through_its_states_updates_the_panel() {
    let mut h = harness(AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into()));
    frames(&mut h);
    let mut job = Job::new(spec(), "/tmp/out".into(), now_ms());
    send(&mut h, &job);
    h.state_mut()
        .apply(Event::Queue(vec![JobId::new(), job.id.clone()]));
    frames(&mut h);
    assert!(h.query_by_label_contains("Queued (position 2)").is_some());

    job.set_state(JobState::Uploading, now_ms());
    send(&mut h, &job);
    h.state_mut().apply(Event::Upload {
        job: job.id.clone(),
        index: 0,
        sent: 50,
        total: 100,
    });
    frames(&mut h);
    assert!(
        h.query_by_label_contains("Uploading references #1 50%")
            .is_some()
    );

    job.set_state(JobState::Running, now_ms());
    job.task_id = Some("task-42".into());
    job.task_created_ms = Some(now_ms() - 65_000);
    job.expected_secs = Some(120.0);
    send(&mut h, &job);
    // 65 s in, 120 s expected (a second either way for the time the test takes).
    assert!(
        h.query_by_label_contains("Generating · 1:0").is_some(),
        "elapsed time"
    );
    assert!(
        h.query_by_label_contains(" · about 0:5").is_some(),
        "remaining time"
    );
    assert!(h.query_by_label_contains("task id valid 23h").is_some());

    job.set_state(JobState::Downloading, now_ms());
    job.video_url_expires_ms = Some(now_ms() + 3_600_000);
    send(&mut h, &job);
    h.state_mut().apply(Event::Download {
        job: job.id.clone(),
        received: 300,
        total: Some(1000),
        bytes_per_sec: 2_097_152.0,
    });
    frames(&mut h);
    assert!(
        h.query_by_label_contains("Downloading 30% · 2.0 MB/s")
            .is_some()
    );
    assert!(
        h.query_by_label_contains("link valid 0h59m").is_some()
            || h.query_by_label_contains("link valid 1h00m").is_some()
    );

    job.set_state(JobState::Done, now_ms());
    job.billed_seconds = Some(8.0);
    job.output_path = Some("/tmp/out/video.mp4".into());
    send(&mut h, &job);
    assert!(h.query_by_label_contains("Done · billed 8 s").is_some());
    assert!(h.query_by_label("Play").is_some() && h.query_by_label("Show in folder").is_some());
    let notified = h
        .state()
        .pending_commands()
        .any(|r| matches!(r, AppCommand::Notify { .. }));
    assert!(notified, "a desktop notification is asked for");
    assert!(
        h.query_by_label_contains("Today 8 s").is_some(),
        "the running total counts it"
    );
}

#[test]
fn a_failed_job_shows_its_code_advice_and_request_id() {
    let mut h = harness(AppState::new(Lang::Zh, "http://127.0.0.1:9/api/v1".into()));
    frames(&mut h);
    let mut job = Job::new(spec(), "/tmp/out".into(), now_ms());
    job.error = Some(JobError {
        code: "DataInspectionFailed".into(),
        message: r2v_studio::core::Localized::verbatim(
            "Output data may contain inappropriate content.",
        ),
        advice: r2v_studio::api::error::advice_for("DataInspectionFailed", 200),
        request_id: Some("req-777".into()),
    });
    job.set_state(JobState::Failed, now_ms());
    send(&mut h, &job);
    let what = "失败（DataInspectionFailed）：Output data may contain inappropriate content.";
    assert!(h.query_by_label_contains(what).is_some(), "what happened");
    // On the row (and in the toast that announced the failure).
    assert!(
        h.query_all_by_label_contains("内容审核未通过").count() >= 1,
        "what to do, in Chinese"
    );
    assert!(h.query_by_label_contains("request_id req-777").is_some());
    h.get_by_label("request_id").click();
    frames(&mut h);
    let copied = h
        .state()
        .pending_commands()
        .any(|r| matches!(r, AppCommand::CopyText(t) if t == "req-777"));
    assert!(copied);
}

#[test]
fn retry_asks_for_confirmation_because_it_is_billed_again() {
    let mut h = harness(AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into()));
    frames(&mut h);
    let mut job = Job::new(spec(), "/tmp/out".into(), now_ms());
    job.set_state(JobState::Expired, now_ms());
    send(&mut h, &job);
    h.get_by_label("Retry…").click();
    frames(&mut h);
    assert!(
        h.query_by_label_contains("creates a new task on the service and is billed again")
            .is_some()
    );
    assert!(
        !h.state()
            .pending_commands()
            .any(|r| matches!(r, AppCommand::Engine(Command::Retry { .. }))),
        "not before confirming"
    );
    h.get_by_label("Keep as it is").click();
    frames(&mut h);
    assert!(h.state().jobs.confirm_retry.is_none());
    assert!(
        !h.state()
            .pending_commands()
            .any(|r| matches!(r, AppCommand::Engine(Command::Retry { .. })))
    );

    h.get_by_label("Retry…").click();
    frames(&mut h);
    h.get_by_label("Retry (billed again)").click();
    frames(&mut h);
    let retried = h
        .state()
        .pending_commands()
        .any(|r| matches!(r, AppCommand::Engine(Command::Retry { from, .. }) if *from == job.id));
    assert!(retried);
}

/// The retries the panel asked for: from, new id, over budget.
fn retries(h: &mut Harness<'static, AppState>) -> Vec<(JobId, JobId, bool)> {
    h.state_mut()
        .take_commands()
        .into_iter()
        .filter_map(|c| match c {
            AppCommand::Engine(Command::Retry {
                from,
                new_id,
                over_budget,
            }) => Some((from, new_id, over_budget)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_retry_over_the_budget_asks_and_is_sent_past_the_cap_only_when_told() {
    let over = Refusal::OverBudget {
        over: OverBudget {
            cap: Cap::Daily,
            limit: 20.0,
            spent: 18.0,
            cost: 4.8,
        },
    };
    for (lang, labels) in [
        (
            Lang::En,
            [
                "Retry…",
                "Retry (billed again)",
                "Over your budget",
                "Don’t send",
                "Send it anyway, this once",
            ],
        ),
        (
            Lang::Zh,
            [
                "重试…",
                "重试（再次计费）",
                "超出预算",
                "不发送",
                "仍然发送（仅此一次）",
            ],
        ),
    ] {
        let [retry, billed, title, dont, anyway] = labels;
        let mut h = harness(AppState::new(lang, "http://127.0.0.1:9/api/v1".into()));
        frames(&mut h);
        let mut job = Job::new(spec(), "/tmp/out".into(), now_ms());
        job.set_state(JobState::Failed, now_ms());
        send(&mut h, &job);
        let retry_refused = |h: &mut Harness<'static, AppState>| {
            h.get_by_label(retry).click();
            frames(h);
            h.get_by_label(billed).click();
            frames(h);
            let sent = retries(h);
            assert_eq!(sent.len(), 1, "{lang:?}");
            let (from, new_id, over_budget) = sent[0].clone();
            assert_eq!((from, over_budget), (job.id.clone(), false));
            h.state_mut().apply(Event::Refused {
                ids: vec![new_id],
                refusal: over.clone(),
            });
            frames(h);
            h.get_by_label(title);
            h.get_by_label_contains("20.00 CNY");
        };

        retry_refused(&mut h);
        h.get_by_label(dont).click();
        frames(&mut h);
        assert!(retries(&mut h).is_empty(), "nothing sent ({lang:?})");
        assert!(h.query_by_label(title).is_none());

        retry_refused(&mut h);
        h.get_by_label(anyway).click();
        frames(&mut h);
        let sent = retries(&mut h);
        assert_eq!(sent.len(), 1, "sent once ({lang:?})");
        assert_eq!((&sent[0].0, sent[0].2), (&job.id, true));
        assert!(h.query_by_label(title).is_none());

        // Journaled: a later refusal of another job (a Generate, or a retry
        // from another window) asks nothing here.
        let mut retried = Job::new(spec(), "/tmp/out".into(), now_ms());
        retried.id = sent[0].1.clone();
        send(&mut h, &retried);
        h.state_mut().apply(Event::Refused {
            ids: vec![retried.id.clone()],
            refusal: over.clone(),
        });
        frames(&mut h);
        assert!(h.query_by_label(title).is_none(), "{lang:?}");
    }
}

#[test]
fn a_retry_the_spend_so_far_puts_over_a_cap_says_so_in_its_one_question() {
    for (lang, [retry, billed, warning, yes]) in [
        (
            Lang::En,
            [
                "Retry…",
                "Retry (billed again)",
                "It would go over your daily cap: 0.90 of today’s 1.00 CNY",
                "Retry anyway, over the cap",
            ],
        ),
        (
            Lang::Zh,
            [
                "重试…",
                "重试（再次计费）",
                "这会超出每日上限：今日上限 1.00 CNY 中已花费或即将花费 0.90",
                "仍然重试（超出上限）",
            ],
        ),
    ] {
        let mut h = harness(AppState::new(lang, "http://127.0.0.1:9/api/v1".into()));
        frames(&mut h);
        let report = |today: f64, daily: Option<f64>| {
            Event::Spend(SpendReport {
                totals: Totals {
                    today,
                    month: today,
                },
                budget: Budget {
                    daily,
                    monthly: None,
                },
            })
        };
        h.state_mut().apply(report(0.9, Some(1.0)));
        let mut job = Job::new(spec(), "/tmp/out".into(), now_ms());
        job.set_state(JobState::Failed, now_ms());
        send(&mut h, &job);
        let ask = |h: &mut Harness<'static, AppState>, answer: &str| {
            h.get_by_label(retry).click();
            frames(h);
            let warned = h.query_by_label_contains(warning).is_some();
            h.get_by_label(answer).click();
            frames(h);
            let sent = retries(h);
            assert_eq!(sent.len(), 1, "{lang:?}");
            assert_eq!(sent[0].0, job.id);
            (warned, sent[0].2)
        };
        assert_eq!(ask(&mut h, yes), (true, true), "warned, sent past the cap");
        // Under the cap (a raised cap): the usual question, checked by the
        // engine as usual.
        h.state_mut().apply(report(0.0, Some(100.0)));
        assert_eq!(ask(&mut h, billed), (false, false));
    }
}

/// After a takeover the window reads the journal again: a row still shown
/// unfinished whose job ended in between (run by another process, no event
/// came) ends, with its notification; a row never turns back.
#[test]
fn history_read_again_ends_rows_that_ended_unheard_and_turns_none_back() {
    let mut h = harness(AppState::new(Lang::Zh, "http://127.0.0.1:9/api/v1".into()));
    frames(&mut h);
    let mut running = Job::new(spec(), "/tmp/out".into(), now_ms());
    running.set_state(JobState::Running, now_ms());
    let mut done = Job::new(spec(), "/tmp/out".into(), now_ms() - 1);
    done.set_state(JobState::Done, now_ms());
    send(&mut h, &running);
    send(&mut h, &done);
    h.state_mut().take_commands();

    let mut ended = running.clone();
    ended.set_state(JobState::Done, now_ms());
    ended.output_path = Some("/tmp/out/结束.mp4".into());
    let mut older = done.clone();
    older.state = JobState::Running;
    h.state_mut()
        .apply(Event::History(vec![ended.clone(), older]));
    frames(&mut h);
    let state = |id: &JobId| {
        h.state()
            .jobs
            .jobs
            .iter()
            .find(|j| &j.id == id)
            .map(|j| j.state)
    };
    assert_eq!(state(&running.id), Some(JobState::Done));
    assert_eq!(state(&done.id), Some(JobState::Done), "never turned back");
    let notified: Vec<String> = h
        .state_mut()
        .take_commands()
        .into_iter()
        .filter_map(|c| match c {
            AppCommand::Notify { body, .. } => Some(body),
            _ => None,
        })
        .collect();
    assert_eq!(notified.len(), 1, "{notified:?}");
    assert!(notified[0].contains("结束.mp4"), "{notified:?}");
}

#[test]
fn an_unconfirmed_submission_offers_both_choices_and_confirms_the_risky_one() {
    let mut h = harness(AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into()));
    frames(&mut h);
    let mut job = Job::new(spec(), "/tmp/out".into(), now_ms());
    job.warning = Some(r2v_studio::core::Localized::verbatim(
        "No matching task was found in the task list",
    ));
    job.set_state(JobState::SubmitUnknown, now_ms());
    send(&mut h, &job);
    assert!(
        h.query_by_label_contains("No matching task was found")
            .is_some()
    );
    h.get_by_label("Look again").click();
    frames(&mut h);
    assert!(
        h.state()
            .pending_commands()
            .any(|r| matches!(r, AppCommand::Engine(Command::LookAgain(_))))
    );
    h.get_by_label("Submit anew…").click();
    frames(&mut h);
    assert!(h.query_by_label_contains("both would be billed").is_some());
    h.get_by_label("Submit anew (may be billed twice)").click();
    frames(&mut h);
    assert!(
        h.state()
            .pending_commands()
            .any(|r| matches!(r, AppCommand::Engine(Command::SubmitAnew(_))))
    );
}

#[test]
fn restore_puts_the_exact_spec_back_into_the_editor() {
    // The jobs panel asks; the shell puts it into the editor.
    let mut shell = common::shell(AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into()));
    let h = &mut shell.harness;
    h.run_steps(3);
    let mut job = Job::new(spec(), "/tmp/out".into(), now_ms());
    job.set_state(JobState::Done, now_ms());
    h.state_mut().state.apply(Event::Job(Box::new(job)));
    h.run_steps(3);
    h.get_by_label("More").click();
    h.run_steps(3);
    h.get_by_label("Restore settings into the editor").click();
    h.run_steps(3);
    assert_eq!(
        h.state().state.editor.spec(),
        spec(),
        "references, names, prompt, parameters and seed"
    );
    assert!(h.query_by_label_contains("Settings restored").is_some());
}

#[test]
fn search_and_filters_narrow_the_list() {
    let mut state = AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into());
    let mut jobs = Vec::new();
    for (i, prompt) in ["a cat on the moon", "a dog in the rain", "猫在月亮上"]
        .iter()
        .enumerate()
    {
        let mut s = spec();
        s.prompt = prompt.to_string();
        s.model = if i == 1 { Model::C1 } else { Model::V56 };
        let mut job = Job::new(s, "/tmp/out".into(), now_ms() + i as i64);
        job.set_state(
            if i == 0 {
                JobState::Done
            } else {
                JobState::Failed
            },
            now_ms(),
        );
        jobs.push(job);
    }
    state.apply(Event::History(jobs));
    let mut h = harness(state);
    frames(&mut h);
    assert_eq!(
        h.query_all_by_label_contains("a cat on the moon").count(),
        1
    );
    h.state_mut().jobs.search = "dog".into();
    frames(&mut h);
    assert!(h.query_by_label_contains("a cat on the moon").is_none());
    assert!(h.query_by_label_contains("a dog in the rain").is_some());
    h.state_mut().jobs.search.clear();
    h.state_mut().jobs.model = Some(Model::V56);
    frames(&mut h);
    assert!(h.query_by_label_contains("a dog in the rain").is_none());
    assert!(h.query_by_label_contains("猫在月亮上").is_some());
}

#[test]
fn a_job_the_user_canceled_is_said_quietly_without_a_desktop_notification() {
    let mut h = harness(AppState::new(Lang::Zh, "http://127.0.0.1:9/api/v1".into()));
    frames(&mut h);
    let mut job = Job::new(spec(), "/tmp/out".into(), now_ms());
    job.set_state(JobState::Pending, now_ms());
    send(&mut h, &job);
    job.set_state(JobState::Canceled, now_ms());
    send(&mut h, &job);
    let commands: Vec<_> = h.state().pending_commands().collect();
    assert!(
        !commands
            .iter()
            .any(|c| matches!(c, AppCommand::Notify { .. })),
        "no desktop notification for the user's own cancel"
    );
    assert!(
        commands
            .iter()
            .any(|c| matches!(c, AppCommand::Toast { error: false, text } if text.zh == "已取消")),
        "a plain toast: {commands:?}"
    );
}

/// Three takes of one setup: the first done (billed 5 s), the second generating,
/// the third failed; and a job asked for on its own.
fn take_set_history() -> (Vec<Job>, Job) {
    let set = TakeSet::new_id();
    let mut takes = Vec::new();
    for index in 1..=3u32 {
        let mut job = Job::new(spec(), "/tmp/out".into(), now_ms() + i64::from(index));
        job.spec.seed = Seed::Fixed(100 + index);
        job.take_set = Some(TakeSet {
            id: set.clone(),
            index,
            of: 3,
            drawn_seed: true,
        });
        match index {
            1 => {
                job.set_state(JobState::Done, now_ms());
                job.billed_seconds = Some(5.0);
                job.output_path = Some("/tmp/out/take1.mp4".into());
            }
            2 => job.set_state(JobState::Running, now_ms()),
            _ => {
                job.set_state(JobState::Failed, now_ms());
                job.error = Some(JobError::local(
                    "DataInspectionFailed",
                    r2v_studio::core::Localized::verbatim("blocked"),
                    r2v_studio::core::Localized::verbatim("change the prompt"),
                ));
            }
        }
        takes.push(job);
    }
    let mut alone = spec();
    alone.prompt = "a job on its own".into();
    let mut single = Job::new(alone, "/tmp/out".into(), now_ms() + 10_000);
    single.set_state(JobState::Canceled, now_ms());
    (takes, single)
}

#[test]
fn a_set_of_takes_is_one_group_with_its_takes_beneath_that_folds_and_unfolds() {
    let (takes, single) = take_set_history();
    let mut state = AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into());
    let mut history = takes.clone();
    history.push(single);
    state.apply(Event::History(history));
    let mut h = harness(state);
    frames(&mut h);
    taller_jobs_panel(&mut h);

    let header = "3 takes · Generating: 1 · Done: 1 · Failed: 1";
    assert!(h.query_by_label(header).is_some(), "the set's header");
    assert_eq!(
        h.query_all_by_label_contains("弹").count(),
        1,
        "the prompt once, on the header"
    );
    assert!(
        h.query_by_label("Seed 102").is_some(),
        "each take says its seed"
    );
    for n in 1..=3 {
        assert!(h.query_by_label(&format!("Take {n}/3")).is_some());
    }
    assert!(h.query_by_label_contains("a job on its own").is_some());
    assert!(
        h.query_by_label_contains("billed 5 s · ≈").is_some(),
        "the set's billed seconds and total"
    );
    assert!(
        h.query_by_label_contains("each take its own seed")
            .is_some()
    );
    // Each take keeps its own actions.
    assert!(h.query_by_label("Play").is_some());
    assert!(h.query_by_label("Cancel").is_some());
    assert_eq!(
        h.query_all_by_label("Retry…").count(),
        3,
        "the done and failed takes, and the job on its own"
    );
    assert!(
        h.query_by_label_contains("Today 5 s").is_some(),
        "the totals count each take"
    );

    h.get_by_label("Hide the takes").click();
    frames(&mut h);
    assert!(
        h.query_by_label(header).is_some(),
        "folded: the header stays"
    );
    assert!(h.query_by_label("Take 2/3").is_none(), "folded: no takes");
    assert!(h.query_by_label("Cancel").is_none());
    h.get_by_label("Show the 3 takes").click();
    frames(&mut h);
    assert!(h.query_by_label("Take 2/3").is_some(), "unfolded again");

    // Filters work on sets: the set stays with only its matching takes.
    h.state_mut().jobs.filter = StateFilter::Done;
    frames(&mut h);
    assert!(h.query_by_label(header).is_some());
    assert!(h.query_by_label("Take 1/3").is_some());
    assert!(h.query_by_label("Take 3/3").is_none());
    assert!(h.query_by_label_contains("a job on its own").is_none());
    h.state_mut().jobs.filter = StateFilter::All;
    h.state_mut().jobs.search = "on its own".into();
    frames(&mut h);
    assert!(
        h.query_by_label(header).is_none(),
        "the search leaves the set out"
    );
    assert!(h.query_by_label_contains("a job on its own").is_some());

    // Restoring the set's settings gives its setup with the seed random again.
    h.state_mut().jobs.search.clear();
    frames(&mut h);
    h.get_by_label("Set").click();
    frames(&mut h);
    h.get_by_label("Restore the set's settings into the editor")
        .click();
    frames(&mut h);
    let restored = h.state().pending_commands().find_map(|c| match c {
        AppCommand::Restore(spec) => Some(spec.clone()),
        _ => None,
    });
    assert_eq!(restored.unwrap().seed, Seed::Random);
}

#[test]
fn a_set_of_takes_reads_in_chinese() {
    let (takes, _) = take_set_history();
    let mut state = AppState::new(Lang::Zh, "http://127.0.0.1:9/api/v1".into());
    state.apply(Event::History(takes));
    // kittest fails on a glyph the bundled font lacks.
    let mut h = harness(state);
    frames(&mut h);
    assert!(
        h.query_by_label("3 个镜次 · 生成中：1 · 已完成：1 · 失败：1")
            .is_some()
    );
    assert!(h.query_by_label("镜次 2/3").is_some());
    assert!(h.query_by_label_contains("合计 ≈").is_some());
    h.get_by_label("收起镜次").click();
    frames(&mut h);
    assert!(h.query_by_label("显示 3 个镜次").is_some());
}

/// The names of the textures painted in the last frame.
fn painted_textures(h: &Harness<'static, AppState>) -> Vec<(String, egui::Rect)> {
    fn walk(shape: &egui::Shape, out: &mut Vec<(egui::TextureId, egui::Rect)>) {
        match shape {
            egui::Shape::Vec(shapes) => shapes.iter().for_each(|s| walk(s, out)),
            egui::Shape::Rect(r) => out.push((r.fill_texture_id(), r.rect)),
            egui::Shape::Mesh(m) => out.push((m.texture_id, m.calc_bounds())),
            _ => {}
        }
    }
    let mut ids = Vec::new();
    for clipped in &h.output().shapes {
        walk(&clipped.shape, &mut ids);
    }
    let textures = h.ctx.tex_manager();
    let textures = textures.read();
    ids.into_iter()
        .filter_map(|(id, rect)| textures.meta(id).map(|m| (m.name.clone(), rect)))
        .collect()
}

/// A finished job whose reference picture has arrived; returns the job and the
/// name of its reference picture's texture.
fn done_job_with_its_reference_shown(h: &mut Harness<'static, AppState>) -> (Job, String) {
    let mut job = Job::new(spec(), "/tmp/out".into(), now_ms());
    job.set_state(JobState::Done, now_ms());
    job.output_path = Some("/tmp/out/poster-test.mp4".into());
    send(h, &job);
    let commands = h.state_mut().take_commands();
    let asked = commands
        .iter()
        .any(|c| matches!(c, AppCommand::Engine(Command::LoadPoster { job: j }) if *j == job.id));
    assert!(asked, "the row asks the engine for its poster");
    let key = commands
        .iter()
        .find_map(|c| match c {
            AppCommand::Engine(Command::LoadImage { key, .. }) => Some(*key),
            _ => None,
        })
        .expect("the reference picture is asked for meanwhile");
    h.state_mut().apply(Event::Thumbnail {
        key,
        result: Ok(std::sync::Arc::new(r2v_studio::engine::images::Thumbnail {
            rgba: vec![20; 40 * 30 * 4],
            width: 40,
            height: 30,
            source_width: 40,
            source_height: 30,
            kind: r2v_studio::engine::images::Kind::Png,
            file_bytes: 100,
            upload_note: None,
        })),
    });
    frames(h);
    let reference = format!("slot-{key}");
    assert!(
        painted_textures(h).iter().any(|(n, _)| *n == reference),
        "the reference picture is shown while the poster is made"
    );
    (job, reference)
}

#[test]
fn a_done_jobs_row_shows_its_videos_poster_once_it_arrives() {
    let mut h = harness(AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into()));
    frames(&mut h);
    let (job, reference) = done_job_with_its_reference_shown(&mut h);
    assert!(h.query_by_label("Video frame").is_none());
    // A 9:16 video's poster.
    let poster = r2v_studio::engine::Poster {
        rgba: [200u8, 30, 30, 255].repeat(108 * 192),
        width: 108,
        height: 192,
    };
    h.state_mut().apply(Event::Poster {
        job: job.id.clone(),
        result: Ok(std::sync::Arc::new(poster)),
    });
    frames(&mut h);
    let picture = h.get_by_label("Video frame").rect();
    let painted = painted_textures(&h);
    let name = format!("poster-{}", job.id);
    let (_, rect) = painted
        .iter()
        .find(|(n, _)| *n == name)
        .expect("the poster is painted");
    assert!(
        !painted.iter().any(|(n, _)| *n == reference),
        "the reference picture is gone from the row"
    );
    // Its shape kept (9:16, as tall as the box), centred in the row's box.
    assert!((rect.height() - picture.height()).abs() < 0.5, "{rect:?}");
    assert!(
        (rect.width() / rect.height() - 108.0 / 192.0).abs() < 0.01,
        "{rect:?}"
    );
    assert!((rect.center().x - picture.center().x).abs() < 0.5);
    // Asked for once only.
    frames(&mut h);
    assert!(
        !h.state()
            .pending_commands()
            .any(|c| matches!(c, AppCommand::Engine(Command::LoadPoster { .. })))
    );
}

#[test]
fn a_done_job_whose_video_is_gone_says_so_in_its_row() {
    let mut h = harness(AppState::new(Lang::En, "http://127.0.0.1:9/api/v1".into()));
    frames(&mut h);
    let (job, reference) = done_job_with_its_reference_shown(&mut h);
    let path = std::path::PathBuf::from("/tmp/out/poster-test.mp4");
    h.state_mut().apply(Event::Poster {
        job: job.id.clone(),
        result: Err(r2v_studio::engine::PosterError::Missing { path: path.clone() }),
    });
    frames(&mut h);
    assert!(!painted_textures(&h).iter().any(|(n, _)| *n == reference));
    h.get_by_label("Video moved or deleted").hover();
    h.run_steps(6);
    assert!(
        h.query_by_label_contains("/tmp/out/poster-test.mp4: it was moved, renamed or deleted")
            .is_some(),
        "the hover says where the video was"
    );
}

#[test]
fn a_video_the_app_cannot_decode_keeps_the_reference_picture_and_says_why() {
    let mut h = harness(AppState::new(Lang::Zh, "http://127.0.0.1:9/api/v1".into()));
    frames(&mut h);
    let (job, reference) = done_job_with_its_reference_shown(&mut h);
    h.state_mut().apply(Event::Poster {
        job: job.id.clone(),
        result: Err(r2v_studio::engine::PosterError::Undecodable {
            path: "/tmp/out/poster-test.mp4".into(),
            reason: Box::new(r2v_studio::video::VideoError::NotMp4.describe()),
        }),
    });
    frames(&mut h);
    let painted = painted_textures(&h);
    let (_, rect) = painted
        .iter()
        .find(|(n, _)| *n == reference)
        .expect("the reference picture stays");
    assert!(h.query_by_label("视频已移动或删除").is_none());
    h.hover_at(rect.center());
    h.run_steps(6);
    assert!(
        h.query_all_by_label_contains("无法生成封面帧")
            .next()
            .is_some(),
        "the hover says why there is no poster"
    );
}
