//! The window: panels, global keys, drops and pastes, the request preview, toasts.
//! [`app_ui`] draws everything from [`AppState`] and knows nothing of eframe, so
//! kittest drives it directly; [`App`] is the eframe shell around it.

use super::params::{generate_ui, params_ui};
use super::prompt_editor::prompt_ui;
use super::references::references_ui;
use super::state::{AppState, Request};
use crate::api::{CreateTaskRequest, export};
use crate::core::{Lang, RefSource};
use crate::{loc, tr};
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
                        state.slot_messages = vec![loc!("app-paste-not-image")];
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
        ui.label(
            RichText::new(tr!(state.lang, "app-name"))
                .strong()
                .size(17.0),
        );
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
                RichText::new(tr!(state.lang, "app-demo-badge"))
                    .background_color(ui.visuals().selection.bg_fill)
                    .color(ui.visuals().strong_text_color())
                    .small(),
            );
        }
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let theme = if state.dark {
                tr!(state.lang, "app-theme-light")
            } else {
                tr!(state.lang, "app-theme-dark")
            };
            if ui
                .button(theme)
                .on_hover_text(tr!(state.lang, "app-theme-tooltip"))
                .clicked()
            {
                state.dark = !state.dark;
                ui.ctx().set_theme(if state.dark {
                    egui::Theme::Dark
                } else {
                    egui::Theme::Light
                });
            }
            if ui.button(tr!(state.lang, "app-settings")).clicked() {
                state.settings_view.open = true;
                state.settings_view.message = None;
                state.settings_view.test_result = None;
            }
            // The switch names the other language, in that language.
            let (label, other) = match state.lang {
                Lang::En => (tr!(state.lang, "app-language-chinese"), Lang::Zh),
                Lang::Zh => (tr!(state.lang, "app-language-english"), Lang::En),
            };
            if ui.button(label).clicked() {
                state.lang = other;
            }
        });
    });
}

fn file_menu(ui: &mut Ui, state: &mut AppState) {
    let lang = state.lang;
    ui.menu_button(tr!(lang, "app-menu-file"), |ui| {
        if ui.button(tr!(lang, "app-menu-new")).clicked() {
            state.new_project();
            ui.close();
        }
        if ui.button(tr!(lang, "app-menu-open")).clicked() {
            state.outbox.push(Request::OpenProject(None));
            ui.close();
        }
        if ui.button(tr!(lang, "app-menu-save")).clicked() {
            state
                .outbox
                .push(Request::SaveProject(state.project.clone()));
            ui.close();
        }
        if ui.button(tr!(lang, "app-menu-save-as")).clicked() {
            state.outbox.push(Request::SaveProject(None));
            ui.close();
        }
        if ui.button(tr!(lang, "app-menu-export-request")).clicked() {
            state.show_request = true;
            ui.close();
        }
        if !state.recent_projects.is_empty() {
            ui.separator();
            ui.label(RichText::new(tr!(lang, "app-menu-recent")).weak());
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
    if !state.missing.is_empty() {
        let mut dismiss = false;
        egui::Window::new(tr!(lang, "app-missing-title"))
            .id(egui::Id::unique("missing-files"))
            .collapsible(false)
            .show(ctx, |ui| {
                ui.label(tr!(lang, "app-missing-explanation"));
                for (index, path) in state.missing.clone() {
                    ui.horizontal(|ui| {
                        ui.label(RichText::new(path.display().to_string()).monospace());
                        if ui.button(tr!(lang, "app-missing-choose")).clicked() {
                            state.outbox.push(Request::RelinkFile(index));
                        }
                    });
                }
                ui.horizontal(|ui| {
                    if ui.button(tr!(lang, "app-missing-look-in-folder")).clicked() {
                        state.outbox.push(Request::RelinkFolder);
                    }
                    if ui.button(tr!(lang, "app-missing-later")).clicked() {
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
            ui.heading(tr!(lang, "app-close-title"));
            ui.label(tr!(lang, "app-close-explanation"));
            ui.horizontal(|ui| {
                if ui.button(tr!(lang, "app-close-save")).clicked() {
                    choice = Some(0);
                }
                if ui.button(tr!(lang, "app-close-discard")).clicked() {
                    choice = Some(1);
                }
                if ui.button(tr!(lang, "app-close-cancel")).clicked() {
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
    egui::Window::new(tr!(state.lang, "app-request-title"))
        .open(&mut open)
        .default_size([640.0, 480.0])
        .show(ctx, |ui| {
            if !problems.is_empty() {
                ui.colored_label(
                    ui.visuals().warn_fg_color,
                    tr!(state.lang, "app-request-problems", count = problems.len()),
                );
            }
            let Some(body) = body else {
                ui.label(tr!(state.lang, "app-request-unavailable"));
                return;
            };
            ui.label(
                RichText::new(tr!(state.lang, "app-request-explanation"))
                    .weak()
                    .small(),
            );
            let json = export::request_json(&body);
            let curl = export::curl_command(&state.base_url, &body);
            ui.horizontal(|ui| {
                if ui
                    .button(tr!(state.lang, "app-request-copy-json"))
                    .clicked()
                {
                    state.outbox.push(Request::CopyText(json.clone()));
                }
                if ui
                    .button(tr!(state.lang, "app-request-copy-curl"))
                    .clicked()
                {
                    state.outbox.push(Request::CopyText(curl.clone()));
                }
                if ui
                    .button(tr!(state.lang, "app-request-save-json"))
                    .clicked()
                {
                    state.outbox.push(Request::ExportText {
                        // not text: the default file name
                        suggested_name: "request.json".into(),
                        text: json.clone(),
                    });
                }
                if ui
                    .button(tr!(state.lang, "app-request-save-curl"))
                    .clicked()
                {
                    state.outbox.push(Request::ExportText {
                        // not text: the default file name
                        suggested_name: "request.sh".into(),
                        text: format!(
                            // not text: the script's frame; its comment line is a message
                            "#!/bin/sh\n# {}\n{curl}\n",
                            tr!(state.lang, "app-request-script-comment")
                        ),
                    });
                }
            });
            egui::ScrollArea::vertical()
                .id_salt("request-scroll")
                .show(ui, |ui| {
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
        tr!(state.lang, "app-drop-hint"),
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
