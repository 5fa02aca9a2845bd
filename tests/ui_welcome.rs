//! The first run, through the real shell in kittest: the welcome panel opens
//! the demo in the window and comes back from it; the key-entry path against
//! two simulators (one per region) explains each failure, then succeeds. In
//! English and in Chinese (kittest fails on a missing glyph).

use egui_kittest::kittest::{NodeT, Queryable};
use r2v_studio::core::{Lang, Region};
use r2v_studio::sim::{Fault, Route, SimConfig, Simulator};
use r2v_studio::ui::app::AppState;
use r2v_studio::ui::welcome::WelcomePanel;
use std::time::{Duration, Instant};

mod common;

fn first_run(lang: Lang) -> common::Shell {
    let mut state = AppState::new(lang, "http://127.0.0.1:9/api/v1".into());
    state.welcome = Some(WelcomePanel::new(Region::Beijing));
    let mut shell = common::shell(state);
    shell.harness.run_steps(2);
    shell
}

/// Runs frames until `done` holds (at most 30 s): waits for the worker's answer.
fn until(
    shell: &mut common::Shell,
    what: &str,
    done: impl Fn(&r2v_studio::ui::shell::App) -> bool,
) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done(shell.harness.state()) {
        assert!(Instant::now() < deadline, "waited 30 s for {what}");
        shell.harness.step();
        std::thread::sleep(Duration::from_millis(20));
    }
    shell.harness.run_steps(2);
}

struct Words {
    try_demo: &'static str,
    leave_demo: &'static str,
    connect: &'static str,
    paste: &'static str,
    test: &'static str,
    save: &'static str,
    other_region: &'static str,
    invalid: &'static str,
    overdue: &'static str,
    not_activated: &'static str,
    works: &'static str,
    demo_badge: &'static str,
}

fn words(lang: Lang) -> Words {
    match lang {
        Lang::En => Words {
            try_demo: "Try the demo",
            leave_demo: "Leave the demo",
            connect: "Connect step by step",
            paste: "4. Paste the key and test it",
            test: "Test",
            save: "Save the key and start",
            other_region: "belongs to the other region",
            invalid: "refused in both regions",
            overdue: "overdue (Arrearage)",
            not_activated: "is not activated",
            works: "The key works with",
            demo_badge: "DEMO · built-in simulator",
        },
        Lang::Zh => Words {
            try_demo: "试用演示",
            leave_demo: "退出演示",
            connect: "连接账号",
            paste: "4. 粘贴 Key 并测试",
            test: "测试",
            save: "保存 Key 并开始",
            other_region: "属于另一个地域",
            invalid: "在两个地域都被拒绝",
            overdue: "欠费（Arrearage）",
            not_activated: "尚未开通",
            works: "此 Key 可用于",
            demo_badge: "演示 · 内置模拟服务",
        },
    }
}

fn the_demo_opens_in_the_window_and_leaving_it_comes_back(lang: Lang) {
    let w = words(lang);
    let mut shell = first_run(lang);
    assert!(shell.harness.query_by_label(w.connect).is_some());
    shell.harness.get_by_label(w.try_demo).click();
    until(&mut shell, "the demo to start", |app| app.state.demo);
    let state = &shell.harness.state().state;
    assert!(
        state.welcome.is_none(),
        "the editor replaces the welcome panel"
    );
    assert_eq!(state.editor.slots.len(), 3, "the sample references");
    assert!(
        state.base_url.starts_with("http://127.0.0.1:"),
        "{}",
        state.base_url
    );
    assert!(
        shell
            .harness
            .query_by_label_contains(w.demo_badge)
            .is_some(),
        "clearly labelled as the demo"
    );
    shell.harness.get_by_label(w.leave_demo).click();
    shell.harness.run_steps(3);
    let state = &shell.harness.state().state;
    assert!(!state.demo);
    assert!(state.welcome.is_some(), "no key: the welcome panel again");
    assert!(state.editor.slots.is_empty());
    assert_eq!(
        state.base_url, "http://127.0.0.1:9/api/v1",
        "the account's address from before the demo"
    );
    assert!(shell.harness.query_by_label(w.try_demo).is_some());
}

#[test]
fn the_welcome_panel_opens_the_demo_in_the_window_and_leaves_it_in_english() {
    the_demo_opens_in_the_window_and_leaving_it_comes_back(Lang::En);
}

#[test]
fn the_welcome_panel_opens_the_demo_in_the_window_and_leaves_it_in_chinese() {
    the_demo_opens_in_the_window_and_leaving_it_comes_back(Lang::Zh);
}

const BEIJING_KEY: &str = "sk-welcome-beijing-00000000000000";
const SINGAPORE_KEY: &str = "sk-welcome-singapore-000000000000";

fn key_entry_explains_each_failure_then_succeeds(lang: Lang) {
    let w = words(lang);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let start = |key: &str| {
        let config = SimConfig {
            api_key: key.into(),
            ..SimConfig::default()
        };
        rt.block_on(Simulator::start(config, 0)).unwrap()
    };
    let beijing = start(BEIJING_KEY);
    let singapore = start(SINGAPORE_KEY);
    let mut shell = first_run(lang);
    shell
        .harness
        .state_mut()
        .state
        .welcome
        .as_mut()
        .unwrap()
        .region_urls = vec![
        (Region::Beijing, beijing.base_url()),
        (Region::Singapore, singapore.base_url()),
    ];
    shell.harness.get_by_label(w.connect).click();
    shell.harness.run_steps(2);
    let save_enabled = |shell: &common::Shell| {
        !shell
            .harness
            .get_by_label(w.save)
            .accesskit_node()
            .is_disabled()
    };
    assert!(
        !save_enabled(&shell),
        "nothing to save before a Test succeeds"
    );

    let test = |shell: &mut common::Shell, key: &str| -> String {
        let welcome = shell.harness.state_mut().state.welcome.as_mut().unwrap();
        welcome.key_entry = key.into();
        welcome.result = None;
        shell.harness.run_steps(2);
        shell.harness.get_by_label(w.test).click();
        until(shell, "the Test's answer", |app| {
            app.state
                .welcome
                .as_ref()
                .is_some_and(|w| w.result.is_some())
        });
        let welcome = shell.harness.state().state.welcome.as_ref().unwrap();
        welcome.result.as_ref().unwrap().1.get(lang).to_string()
    };

    // The field is found by its step's label and takes typing.
    shell.harness.get_by_label(w.paste).click();
    shell.harness.get_by_label(w.paste).type_text("sk-typed");
    shell.harness.run_steps(2);
    assert_eq!(
        shell
            .harness
            .state()
            .state
            .welcome
            .as_ref()
            .unwrap()
            .key_entry,
        "sk-typed"
    );

    let answer = test(&mut shell, SINGAPORE_KEY);
    assert!(answer.contains(w.other_region), "{answer}");
    assert!(
        shell
            .harness
            .query_by_label_contains(w.other_region)
            .is_some()
    );

    let answer = test(&mut shell, "sk-welcome-nobody-0000000000000000");
    assert!(answer.contains(w.invalid), "{answer}");

    beijing.inject(
        Route::List,
        Fault::Status {
            status: 400,
            code: "Arrearage".into(),
            message: "Access denied, please make sure your account is in good standing.".into(),
        },
    );
    let answer = test(&mut shell, BEIJING_KEY);
    assert!(answer.contains(w.overdue), "{answer}");
    assert!(answer.contains("request_id"), "{answer}");

    beijing.inject(
        Route::Policy,
        Fault::Status {
            status: 403,
            code: "AccessDenied.Unpurchased".into(),
            message:
                "Access to model denied. Please make sure you are eligible for using the model."
                    .into(),
        },
    );
    let answer = test(&mut shell, BEIJING_KEY);
    assert!(answer.contains(w.not_activated), "{answer}");
    assert!(answer.contains("PixVerse C1"), "{answer}");
    assert!(!save_enabled(&shell));

    let answer = test(&mut shell, BEIJING_KEY);
    assert!(answer.contains(w.works), "{answer}");
    assert!(save_enabled(&shell), "a tested key can be saved");
    assert_eq!(beijing.pending_faults(), 0);
    for text in [BEIJING_KEY, SINGAPORE_KEY] {
        assert!(
            shell.harness.query_by_label_contains(text).is_none(),
            "the key is never shown"
        );
    }
}

#[test]
fn the_key_test_explains_each_failure_then_succeeds_in_english() {
    key_entry_explains_each_failure_then_succeeds(Lang::En);
}

#[test]
fn the_key_test_explains_each_failure_then_succeeds_in_chinese() {
    key_entry_explains_each_failure_then_succeeds(Lang::Zh);
}
