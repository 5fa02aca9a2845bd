//! The settings window: API key, region, output folder, limits, prices, language,
//! theme. Edits a draft; Save hands it to the shell, which stores it off the UI
//! thread and restarts the engine with it.

use super::state::{AppState, Request};
use crate::core::capabilities::{self as caps, DEFAULT_BASE_URL, Model};
use crate::core::{Lang, Localized};
use crate::settings::{KeySource, Settings, Theme};
use egui::{Id, RichText, Ui};

/// What the window knows about the saved key (never the key itself).
#[derive(Debug, Clone, Default)]
pub struct KeyInfo {
    /// `sk-…abcd`.
    pub masked: Option<String>,
    pub source: Option<KeySource>,
    /// Why the keychain could not be used.
    pub keychain_problem: Option<String>,
}

/// The window's own state.
#[derive(Debug, Clone, Default)]
pub struct SettingsView {
    pub open: bool,
    pub draft: Settings,
    /// A key being typed: sent once on Save, then cleared; never shown again.
    pub key_entry: String,
    /// Store the key in a 0600 file when there is no keychain.
    pub allow_file: bool,
    pub key: KeyInfo,
    /// The last "Test" result.
    pub test_result: Option<(bool, Localized)>,
    pub testing: bool,
    /// A message about saving (errors).
    pub message: Option<Localized>,
}

const BEIJING_WORKSPACE_HINT: &str = "https://{WorkspaceId}.cn-beijing.maas.aliyuncs.com/api/v1";

pub fn settings_window(ctx: &egui::Context, state: &mut AppState) {
    if !state.settings_view.open {
        return;
    }
    let mut open = true;
    let title = state.t(&Localized::new("Settings", "设置"));
    egui::Window::new(title)
        .id(Id::unique("settings-window"))
        .open(&mut open)
        .default_size([560.0, 690.0])
        .vscroll(true)
        .show(ctx, |ui| settings_ui(ui, state));
    if !open {
        state.settings_view.open = false;
        state.settings_view.key_entry.clear();
    }
}

fn heading(ui: &mut Ui, state: &AppState, text: Localized) -> egui::Response {
    ui.add_space(8.0);
    ui.label(RichText::new(state.t(&text)).strong().size(15.0))
}

pub fn settings_ui(ui: &mut Ui, state: &mut AppState) {
    key_ui(ui, state);

    let region = heading(
        ui,
        state,
        Localized::new("Region / service address", "地域 / 服务地址"),
    );
    let custom = state.settings_view.draft.base_url.is_some();
    ui.horizontal(|ui| {
        if ui
            .radio(
                !custom,
                state.t(&Localized::new(
                    "Beijing (cn-beijing)",
                    "北京（cn-beijing）",
                )),
            )
            .clicked()
        {
            state.settings_view.draft.base_url = None;
        }
        if ui
            .radio(
                custom,
                state.t(&Localized::new("Custom address", "自定义地址")),
            )
            .clicked()
            && !custom
        {
            state.settings_view.draft.base_url = Some(String::new());
        }
    });
    if let Some(url) = &mut state.settings_view.draft.base_url {
        ui.add(
            egui::TextEdit::singleline(url)
                .hint_text(BEIJING_WORKSPACE_HINT)
                .desired_width(f32::INFINITY),
        )
        .labelled_by(region.id);
    } else {
        ui.label(RichText::new(DEFAULT_BASE_URL).weak().monospace());
    }
    ui.label(
        RichText::new(state.t(&Localized::new(
            "The PixVerse models are served only in Beijing. Newer accounts may use a workspace address.",
            "PixVerse 模型仅在北京地域提供。较新的账号可能使用业务空间地址。",
        )))
        .weak()
        .small(),
    );

    let folder = heading(ui, state, Localized::new("Output folder", "输出文件夹"));
    ui.horizontal(|ui| {
        let shown = state
            .settings_view
            .draft
            .output_dir
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| {
                state.t(&Localized::new(
                    "Videos/R2V Studio (default)",
                    "视频/R2V Studio（默认）",
                ))
            });
        ui.label(RichText::new(shown).monospace())
            .labelled_by(folder.id);
        if ui
            .button(state.t(&Localized::new("Choose…", "选择…")))
            .clicked()
        {
            state.outbox.push(Request::PickOutputFolder);
        }
        if state.settings_view.draft.output_dir.is_some()
            && ui
                .button(state.t(&Localized::new("Default", "默认")))
                .clicked()
        {
            state.settings_view.draft.output_dir = None;
        }
    });

    let limits = heading(ui, state, Localized::new("Limits", "限制"));
    ui.horizontal(|ui| {
        ui.label(state.t(&Localized::new(
            "Jobs at once per model",
            "每个模型同时进行的任务",
        )));
        ui.add(egui::Slider::new(
            &mut state.settings_view.draft.jobs_per_series,
            1..=caps::RUNNING_TASKS_PER_SERIES,
        ))
        .labelled_by(limits.id);
    });
    ui.horizontal(|ui| {
        ui.label(state.t(&Localized::new(
            "Status checks per second (all jobs)",
            "每秒状态查询次数（全部任务）",
        )));
        ui.add(egui::Slider::new(
            &mut state.settings_view.draft.queries_per_second,
            1..=crate::engine::schedule::MAX_QUERIES_PER_SECOND,
        ))
        .labelled_by(limits.id);
    });

    let prices = heading(
        ui,
        state,
        Localized::new("Price table (estimates)", "价格表（估算）"),
    );
    ui.label(
        RichText::new(state.t(&Localized::new(
            format!(
                "{} per billed second. No official price is published: adjust to your bill.",
                caps::PRICE_CURRENCY
            ),
            format!(
                "每计费秒的{}价格。官方未公布价格：请按账单调整。",
                caps::PRICE_CURRENCY
            ),
        )))
        .weak()
        .small(),
    );
    egui::Grid::new("price-grid").striped(true).show(ui, |ui| {
        ui.label("");
        for tier in caps::Tier::ALL {
            ui.label(tier.label());
        }
        ui.end_row();
        for model in Model::ALL {
            ui.label(model.info().display_name);
            for tier in caps::Tier::ALL {
                if let Some(entry) = state
                    .settings_view
                    .draft
                    .prices
                    .iter_mut()
                    .find(|e| e.model == model && e.tier == tier)
                {
                    ui.add(
                        egui::DragValue::new(&mut entry.per_second)
                            .range(0.0..=100.0)
                            .speed(0.01)
                            .fixed_decimals(2),
                    )
                    .labelled_by(prices.id);
                }
            }
            ui.end_row();
        }
    });
    if ui
        .button(state.t(&Localized::new("Reset prices", "重置价格")))
        .clicked()
    {
        state.settings_view.draft.prices = caps::default_prices();
    }

    heading(
        ui,
        state,
        Localized::new("Language and theme", "语言与主题"),
    );
    ui.horizontal(|ui| {
        let lang = state.settings_view.draft.lang.unwrap_or(state.lang);
        if ui.radio(lang == Lang::En, "English").clicked() {
            state.settings_view.draft.lang = Some(Lang::En);
        }
        if ui.radio(lang == Lang::Zh, "简体中文").clicked() {
            state.settings_view.draft.lang = Some(Lang::Zh);
        }
    });
    ui.horizontal(|ui| {
        let theme = state.settings_view.draft.theme;
        for (value, label) in [
            (
                Theme::System,
                Localized::new("Follow the system", "跟随系统"),
            ),
            (Theme::Light, Localized::new("Light", "浅色")),
            (Theme::Dark, Localized::new("Dark", "深色")),
        ] {
            if ui.radio(theme == value, state.t(&label)).clicked() {
                state.settings_view.draft.theme = value;
            }
        }
    });

    ui.add_space(12.0);
    if let Some(message) = &state.settings_view.message {
        ui.colored_label(ui.visuals().error_fg_color, state.t(message));
    }
    ui.horizontal(|ui| {
        if ui
            .button(RichText::new(state.t(&Localized::new("Save", "保存"))).strong())
            .clicked()
        {
            let draft = state.settings_view.draft.clone().clamped();
            state.outbox.push(Request::SaveSettings(draft));
        }
        if ui
            .button(state.t(&Localized::new("Close", "关闭")))
            .clicked()
        {
            state.settings_view.open = false;
            state.settings_view.key_entry.clear();
        }
    });
}

fn key_ui(ui: &mut Ui, state: &mut AppState) {
    let heading_response = heading(ui, state, Localized::new("API key", "API Key"));
    let info = state.settings_view.key.clone();
    let where_from = match info.source {
        Some(KeySource::Environment) => Localized::new(
            "From DASHSCOPE_API_KEY: the environment variable wins over a saved key.",
            "来自环境变量 DASHSCOPE_API_KEY：它优先于已保存的 Key。",
        ),
        Some(KeySource::Keychain) => {
            Localized::new("Saved in the system keychain.", "已保存在系统钥匙串中。")
        }
        Some(KeySource::File) => Localized::new(
            "Saved in a file only you can read (no keychain on this system).",
            "已保存在仅您可读的文件中（此系统没有钥匙串服务）。",
        ),
        Some(KeySource::None) | None => Localized::new("No key yet.", "尚未设置 Key。"),
    };
    ui.horizontal(|ui| {
        ui.label(RichText::new(info.masked.clone().unwrap_or_else(|| "—".into())).monospace());
        ui.label(RichText::new(state.t(&where_from)).weak());
    });
    if state.demo {
        ui.label(
            RichText::new(state.t(&Localized::new(
                "Demo: jobs go to the built-in simulator with its own key; a key saved here is used when you start R2V Studio without --demo.",
                "演示模式：任务发送到内置模拟服务，使用其自带的 Key；此处保存的 Key 会在不带 --demo 启动时使用。",
            )))
            .weak()
            .small(),
        );
    }
    if info.source == Some(KeySource::File) {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            state.t(&Localized::new(
                "Warning: a file is less safe than a keychain. Anyone with access to your user account can read it.",
                "注意：文件不如钥匙串安全。能登录您账户的人都可以读取它。",
            )),
        );
    }
    if let Some(problem) = &info.keychain_problem {
        ui.colored_label(
            ui.visuals().warn_fg_color,
            state.t(&Localized::new(
                format!("The system keychain is not available ({problem}). Tick the box below to keep the key in a private file instead."),
                format!("系统钥匙串不可用（{problem}）。可勾选下方选项，改为保存在私有文件中。"),
            )),
        );
    }
    ui.horizontal(|ui| {
        let hint = state.t(&Localized::new(
            "Paste a new key (sk-…)",
            "粘贴新的 Key（sk-…）",
        ));
        ui.add(
            egui::TextEdit::singleline(&mut state.settings_view.key_entry)
                .id(Id::unique("settings-key-entry"))
                .password(true)
                .hint_text(hint)
                .desired_width(260.0),
        )
        .labelled_by(heading_response.id);
        let entered = crate::api::ApiKey::new(state.settings_view.key_entry.clone());
        if ui
            .add_enabled(
                entered.is_some(),
                egui::Button::new(state.t(&Localized::new("Save key", "保存 Key"))),
            )
            .clicked()
            && let Some(key) = entered
        {
            state.outbox.push(Request::StoreKey {
                key,
                allow_file: state.settings_view.allow_file,
            });
            state.settings_view.key_entry.clear();
        }
        let test_label = state.t(&Localized::new("Test", "测试"));
        if ui
            .add_enabled(!state.settings_view.testing, egui::Button::new(test_label))
            .on_hover_text(state.t(&Localized::new(
                "Makes a free call with the key (lists one task) and reports the answer.",
                "用此 Key 发起一次免费调用（列出一个任务）并报告结果。",
            )))
            .clicked()
        {
            state.settings_view.testing = true;
            state.settings_view.test_result = None;
            let base_url = state.settings_view.draft.base_url.clone();
            let key = crate::api::ApiKey::new(state.settings_view.key_entry.clone());
            state.outbox.push(Request::TestKey { base_url, key });
        }
        if info
            .source
            .is_some_and(|s| matches!(s, KeySource::Keychain | KeySource::File))
            && ui
                .button(state.t(&Localized::new("Forget", "删除")))
                .clicked()
        {
            state.outbox.push(Request::ForgetKey);
        }
    });
    let file_label = state.t(&Localized::new(
        "If there is no keychain, keep the key in a file only I can read",
        "如无钥匙串，将 Key 保存在仅我可读的文件中",
    ));
    ui.checkbox(&mut state.settings_view.allow_file, file_label);
    if state.settings_view.testing {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(state.t(&Localized::new("Testing…", "测试中…")));
        });
    }
    if let Some((ok, text)) = &state.settings_view.test_result {
        let color = if *ok {
            egui::Color32::from_rgb(80, 180, 100)
        } else {
            ui.visuals().error_fg_color
        };
        ui.colored_label(color, state.t(text));
    }
}
