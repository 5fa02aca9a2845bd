//! The window: panels, global keys, drops and pastes, the request preview, toasts.
//! [`app_ui`] draws everything from [`AppState`] and knows nothing of eframe, so
//! kittest drives it directly; [`App`] is the eframe shell around it.

use super::params::{generate_ui, params_ui};
use super::prompt_editor::prompt_ui;
use super::references::references_ui;
use super::state::{AppState, Request};
use crate::api::{CreateTaskRequest, export};
use crate::core::{Lang, Localized, RefSource};
use egui::{Key, KeyboardShortcut, Modifiers, RichText, Ui};
use std::path::PathBuf;

/// Draws the whole window from `state`.
pub fn app_ui(ui: &mut Ui, state: &mut AppState) {
    state.now = ui.input(|i| i.time);
    global_input(ui, state);
    egui::Panel::top("top-bar").show(ui, |ui| top_bar(ui, state));
    egui::Panel::bottom("jobs-panel")
        .resizable(true)
        .default_size(230.0)
        .min_size(170.0)
        .show(ui, |ui| super::jobs::jobs_ui(ui, state));
    egui::Panel::right("parameters")
        .resizable(false)
        .exact_size(310.0)
        .show(ui, |ui| {
            egui::ScrollArea::vertical()
                .id_salt("params-scroll")
                .show(ui, |ui| {
                    params_ui(ui, state);
                    generate_ui(ui, state);
                });
        });
    egui::CentralPanel::default().show(ui, |ui| {
        egui::ScrollArea::vertical()
            .id_salt("main-scroll")
            .show(ui, |ui| {
                references_ui(ui, state);
                ui.add_space(6.0);
                ui.separator();
                prompt_ui(ui, state);
            });
    });
    request_window(ui.ctx(), state);
    super::settings::settings_window(ui.ctx(), state);
    project_dialogs(ui.ctx(), state);
    drop_overlay(ui.ctx(), state);
    toasts(ui.ctx(), state);
}

fn global_input(ui: &mut Ui, state: &mut AppState) {
    let generate = KeyboardShortcut::new(Modifiers::COMMAND, Key::Enter);
    if ui.input_mut(|i| i.consume_shortcut(&generate)) {
        state.generate();
    }
    let dropped: Vec<PathBuf> = ui.input(|i| {
        i.raw
            .dropped_files
            .iter()
            .map(|f| f.path().to_path_buf())
            .collect()
    });
    if !dropped.is_empty() {
        state.add_paths(dropped);
    }
    // Ctrl+V into the slots when no text field has the keyboard.
    let text_focused = ui.ctx().memory(|m| m.focused()).is_some();
    if !text_focused {
        let events = ui.input(|i| i.events.clone());
        for event in events {
            match event {
                egui::Event::Paste(text) => {
                    let urls: Vec<RefSource> = text
                        .split_whitespace()
                        .map(RefSource::from_text)
                        .filter(|s| matches!(s, RefSource::Url(_)))
                        .collect();
                    if urls.is_empty() {
                        state.slot_messages = vec![Localized::new(
                            "The clipboard holds text, not an image or an image URL.",
                            "剪贴板中是文字，不是图片或图片网址。",
                        )];
                    } else {
                        state.add_sources(urls);
                    }
                }
                egui::Event::PasteImage(image) => state.add_pasted_image(&image),
                _ => {}
            }
        }
    }
}

fn top_bar(ui: &mut Ui, state: &mut AppState) {
    ui.horizontal(|ui| {
        file_menu(ui, state);
        ui.label(RichText::new("R2V Studio").strong().size(17.0));
        if let Some(path) = &state.project {
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let mark = if state.unsaved() { " •" } else { "" };
            ui.label(RichText::new(format!("{name}{mark}")).weak())
                .on_hover_text(path.display().to_string());
        }
        if state.demo {
            ui.label(
                RichText::new(state.t(&Localized::new(
                    " DEMO · built-in simulator ",
                    " 演示 · 内置模拟服务 ",
                )))
                .background_color(ui.visuals().selection.bg_fill)
                .color(ui.visuals().strong_text_color())
                .small(),
            );
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let theme = if state.dark {
                Localized::new("Light", "浅色")
            } else {
                Localized::new("Dark", "深色")
            };
            if ui
                .button(state.t(&theme))
                .on_hover_text(state.t(&Localized::new("Light / dark", "浅色 / 深色")))
                .clicked()
            {
                state.dark = !state.dark;
                ui.ctx().set_theme(if state.dark {
                    egui::Theme::Dark
                } else {
                    egui::Theme::Light
                });
            }
            if ui
                .button(state.t(&Localized::new("Settings", "设置")))
                .clicked()
            {
                state.settings_view.open = true;
                state.settings_view.message = None;
                state.settings_view.test_result = None;
            }
            let (label, other) = match state.lang {
                Lang::En => ("中文", Lang::Zh),
                Lang::Zh => ("English", Lang::En),
            };
            if ui.button(label).clicked() {
                state.lang = other;
            }
        });
    });
}

fn file_menu(ui: &mut Ui, state: &mut AppState) {
    let lang = state.lang;
    let t = |l: Localized| l.get(lang).to_string();
    ui.menu_button(t(Localized::new("File", "文件")), |ui| {
        if ui.button(t(Localized::new("New", "新建"))).clicked() {
            state.new_project();
            ui.close();
        }
        if ui.button(t(Localized::new("Open…", "打开…"))).clicked() {
            state.outbox.push(Request::OpenProject(None));
            ui.close();
        }
        if ui.button(t(Localized::new("Save", "保存"))).clicked() {
            state
                .outbox
                .push(Request::SaveProject(state.project.clone()));
            ui.close();
        }
        if ui
            .button(t(Localized::new("Save as…", "另存为…")))
            .clicked()
        {
            state.outbox.push(Request::SaveProject(None));
            ui.close();
        }
        if ui
            .button(t(Localized::new(
                "Export the request (JSON / curl)…",
                "导出请求（JSON / curl）…",
            )))
            .clicked()
        {
            state.show_request = true;
            ui.close();
        }
        if !state.recent_projects.is_empty() {
            ui.separator();
            ui.label(RichText::new(t(Localized::new("Recent", "最近"))).weak());
            for path in state.recent_projects.clone() {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if ui
                    .button(name)
                    .on_hover_text(path.display().to_string())
                    .clicked()
                {
                    state.outbox.push(Request::OpenProject(Some(path)));
                    ui.close();
                }
            }
        }
    });
}

/// Moved files of an opened project, and the unsaved-changes question on close.
fn project_dialogs(ctx: &egui::Context, state: &mut AppState) {
    let lang = state.lang;
    let t = |l: Localized| l.get(lang).to_string();
    if !state.missing.is_empty() {
        let mut dismiss = false;
        egui::Window::new(t(Localized::new("Some pictures have moved", "部分图片已移动")))
            .id(egui::Id::unique("missing-files"))
            .collapsible(false)
            .show(ctx, |ui| {
                ui.label(t(Localized::new(
                    "These references are not where the project says. Choose each file again, or a folder that holds them.",
                    "以下参考图不在项目记录的位置。请重新选择每个文件，或选择包含它们的文件夹。",
                )));
                for (index, path) in state.missing.clone() {
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(path.display().to_string()).monospace());
                        if ui.button(t(Localized::new("Choose…", "选择…"))).clicked() {
                            state.outbox.push(Request::RelinkFile(index));
                        }
                    });
                }
                ui.horizontal(|ui| {
                    if ui.button(t(Localized::new("Look in a folder…", "在文件夹中查找…"))).clicked() {
                        state.outbox.push(Request::RelinkFolder);
                    }
                    if ui.button(t(Localized::new("Later", "稍后"))).clicked() {
                        dismiss = true;
                    }
                });
            });
        if dismiss {
            state.missing.clear();
        }
    }
    if state.confirm_close {
        let mut choice = None;
        egui::Modal::new(egui::Id::unique("confirm-close")).show(ctx, |ui| {
            ui.set_max_width(420.0);
            ui.heading(t(Localized::new("Save your changes?", "保存更改？")));
            ui.label(t(Localized::new(
                "The references, prompt or settings in the editor have changed since they were last saved. Running jobs are safe either way: they continue next time.",
                "编辑区中的参考图、提示词或参数自上次保存后有改动。正在进行的任务不受影响：下次启动时会继续。",
            )));
            ui.horizontal(|ui| {
                if ui.button(t(Localized::new("Save", "保存"))).clicked() {
                    choice = Some(0);
                }
                if ui.button(t(Localized::new("Don't save", "不保存"))).clicked() {
                    choice = Some(1);
                }
                if ui.button(t(Localized::new("Cancel", "取消"))).clicked() {
                    choice = Some(2);
                }
            });
        });
        match choice {
            Some(0) => {
                state.confirm_close = false;
                state.close_after_save = true;
                state
                    .outbox
                    .push(Request::SaveProject(state.project.clone()));
            }
            Some(1) => {
                state.confirm_close = false;
                state.outbox.push(Request::CloseWindow);
            }
            Some(_) => state.confirm_close = false,
            None => {}
        }
    }
}

fn request_window(ctx: &egui::Context, state: &mut AppState) {
    if !state.show_request {
        return;
    }
    let spec = state.spec();
    let problems = spec.validate();
    let body = CreateTaskRequest::from_spec(&spec, &export::placeholder_urls(&spec));
    let mut open = true;
    egui::Window::new(state.t(&Localized::new("The request", "请求内容")))
        .open(&mut open)
        .default_size([640.0, 480.0])
        .show(ctx, |ui| {
            if !problems.is_empty() {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    state.t(&Localized::new(
                        format!("{} problem(s) would stop this request; it is shown as it stands.", problems.len()),
                        format!("有 {} 个问题会阻止此请求；以下为当前内容。", problems.len()),
                    )),
                );
            }
            let Some(body) = body else {
                ui.label(state.t(&Localized::new(
                    "No request can be built yet: choose a size the model offers.",
                    "还无法生成请求：请选择模型支持的尺寸。",
                )));
                return;
            };
            ui.label(
                RichText::new(state.t(&Localized::new(
                    "Local files are uploaded first: <upload of …> stands for the oss:// key each gets. The key is never shown: curl reads $DASHSCOPE_API_KEY.",
                    "本地文件会先上传：<upload of …> 代表上传后得到的 oss:// 地址。不会显示 Key：curl 读取 $DASHSCOPE_API_KEY。",
                )))
                .weak()
                .small(),
            );
            let json = export::request_json(&body);
            let curl = export::curl_command(&state.base_url, &body);
            ui.horizontal(|ui| {
                if ui.button(state.t(&Localized::new("Copy JSON", "复制 JSON"))).clicked() {
                    state.outbox.push(Request::CopyText(json.clone()));
                }
                if ui.button(state.t(&Localized::new("Copy curl", "复制 curl"))).clicked() {
                    state.outbox.push(Request::CopyText(curl.clone()));
                }
                if ui.button(state.t(&Localized::new("Save JSON…", "保存 JSON…"))).clicked() {
                    state.outbox.push(Request::ExportText {
                        suggested_name: "request.json".into(),
                        text: json.clone(),
                    });
                }
                if ui.button(state.t(&Localized::new("Save curl…", "保存 curl…"))).clicked() {
                    state.outbox.push(Request::ExportText {
                        suggested_name: "request.sh".into(),
                        text: format!("#!/bin/sh\n# Set DASHSCOPE_API_KEY before running.\n{curl}\n"),
                    });
                }
            });
            egui::ScrollArea::vertical().id_salt("request-scroll").show(ui, |ui| {
                ui.add(egui::Label::new(RichText::new(&json).monospace()).wrap());
                ui.separator();
                ui.add(egui::Label::new(RichText::new(&curl).monospace()).wrap());
            });
        });
    state.show_request = open;
}

fn drop_overlay(ctx: &egui::Context, state: &AppState) {
    let hovering = ctx.input(|i| !i.raw.hovered_files.is_empty());
    if !hovering {
        return;
    }
    let screen = ctx.content_rect();
    let painter = ctx.layer_painter(egui::LayerId::new(
        egui::Order::Foreground,
        egui::Id::unique("drop-overlay"),
    ));
    let accent = ctx.global_style().visuals.selection.bg_fill;
    painter.rect_filled(screen, 0.0, egui::Color32::from_black_alpha(150));
    painter.rect_stroke(
        screen.shrink(12.0),
        12.0,
        egui::Stroke::new(3.0, accent),
        egui::StrokeKind::Inside,
    );
    painter.text(
        screen.center(),
        egui::Align2::CENTER_CENTER,
        state.t(&Localized::new(
            "Drop images to add them as references",
            "松开鼠标即可添加为参考图",
        )),
        egui::FontId::proportional(24.0),
        egui::Color32::WHITE,
    );
}

fn toasts(ctx: &egui::Context, state: &mut AppState) {
    const LIFE: f64 = 6.0;
    state.toasts.retain(|t| state.now - t.born < LIFE);
    if state.toasts.is_empty() {
        return;
    }
    ctx.request_repaint_after(std::time::Duration::from_millis(500));
    egui::Area::new(egui::Id::unique("toasts"))
        .anchor(egui::Align2::LEFT_BOTTOM, egui::vec2(16.0, -250.0))
        .order(egui::Order::Foreground)
        // Messages only: clicks go through to what is underneath.
        .interactable(false)
        .show(ctx, |ui| {
            for toast in state.toasts.iter().rev().take(4) {
                egui::Frame::popup(ui.style()).show(ui, |ui| {
                    ui.set_max_width(380.0);
                    let text = RichText::new(toast.text.get(state.lang));
                    if toast.error {
                        ui.colored_label(ui.visuals().error_fg_color, text);
                    } else {
                        ui.label(text);
                    }
                });
            }
        });
}
