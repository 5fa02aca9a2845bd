//! Jobs and history: every generation, live, with what can be done about it.

use super::state::{AppState, JobProgress, Request, StateFilter};
use super::widgets::{self, file_size};
use crate::api::{CreateTaskRequest, export};
use crate::core::Localized;
use crate::core::capabilities::{self as caps, Model};
use crate::engine::{Command, Job, JobId, JobState};
use egui::{Id, RichText, Ui};

const ROW_HEIGHT: f32 = 66.0;

pub fn jobs_ui(ui: &mut Ui, state: &mut AppState) {
    header_ui(ui, state);
    let now = chrono::Utc::now().timestamp_millis();
    let shown: Vec<usize> = state
        .jobs
        .iter()
        .enumerate()
        .filter(|(_, job)| matches_filters(state, job))
        .map(|(i, _)| i)
        .collect();
    if state.jobs.is_empty() {
        ui.label(
            RichText::new(state.t(&Localized::new(
                "Nothing yet. Generated videos appear here while they are made, and are saved to your output folder.",
                "还没有任务。生成中的视频会显示在这里，完成后保存到输出文件夹。",
            )))
            .weak(),
        );
        return;
    }
    if shown.is_empty() {
        ui.label(
            RichText::new(state.t(&Localized::new(
                "No job matches the filters.",
                "没有符合筛选条件的任务。",
            )))
            .weak(),
        );
    }
    // Only the visible rows are laid out: the cost does not grow with history.
    egui::ScrollArea::vertical()
        .id_salt("jobs-scroll")
        .auto_shrink([false, false])
        .show_rows(ui, ROW_HEIGHT, shown.len(), |ui, range| {
            for &index in &shown[range] {
                let job = state.jobs[index].clone();
                row_ui(ui, state, &job, now);
            }
        });
    confirmations(ui.ctx(), state);
}

fn matches_filters(state: &AppState, job: &Job) -> bool {
    let view = &state.jobs_view;
    let state_ok = match view.state {
        StateFilter::All => true,
        StateFilter::Active => !job.state.is_final(),
        StateFilter::Done => job.state == JobState::Done,
        StateFilter::Problems => matches!(
            job.state,
            JobState::Failed | JobState::Expired | JobState::Canceled | JobState::SubmitUnknown
        ),
    };
    let model_ok = view.model.is_none_or(|m| m == job.spec.model);
    let needle = view.search.trim().to_lowercase();
    state_ok && model_ok && (needle.is_empty() || job.spec.prompt.to_lowercase().contains(&needle))
}

fn header_ui(ui: &mut Ui, state: &mut AppState) {
    ui.horizontal(|ui| {
        ui.label(RichText::new(state.t(&Localized::new("Jobs", "任务"))).strong());
        ui.label(RichText::new(format!("{}", state.jobs.len())).weak());
        ui.add_space(8.0);
        let search = state.t(&Localized::new("words in the prompt", "提示词中的文字"));
        let label = ui.label(RichText::new(state.t(&Localized::new("Search", "搜索"))).weak());
        ui.add(
            egui::TextEdit::singleline(&mut state.jobs_view.search)
                .id(Id::unique("jobs-search"))
                .hint_text(search)
                .desired_width(180.0),
        )
        .labelled_by(label.id);
        let filters = [
            (StateFilter::All, Localized::new("All", "全部")),
            (StateFilter::Active, Localized::new("Under way", "进行中")),
            (StateFilter::Done, Localized::new("Done", "已完成")),
            (
                StateFilter::Problems,
                Localized::new("Needs attention", "需要处理"),
            ),
        ];
        let current = filters
            .iter()
            .find(|(f, _)| *f == state.jobs_view.state)
            .map(|(_, l)| state.t(l))
            .unwrap_or_default();
        let show = ui.label(RichText::new(state.t(&Localized::new("Show", "显示"))).weak());
        egui::ComboBox::from_id_salt("jobs-state-filter")
            .selected_text(current)
            .show_ui(ui, |ui| {
                for (filter, label) in &filters {
                    let text = state.t(label);
                    ui.selectable_value(&mut state.jobs_view.state, *filter, text);
                }
            })
            .response
            .labelled_by(show.id);
        let all_models = state.t(&Localized::new("All models", "全部模型"));
        let model_label = ui.label(RichText::new(state.t(&Localized::new("Model", "模型"))).weak());
        egui::ComboBox::from_id_salt("jobs-model-filter")
            .selected_text(
                state
                    .jobs_view
                    .model
                    .map_or(all_models.clone(), |m| m.info().display_name.to_string()),
            )
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut state.jobs_view.model, None, all_models);
                for model in Model::ALL {
                    ui.selectable_value(
                        &mut state.jobs_view.model,
                        Some(model),
                        model.info().display_name,
                    );
                }
            })
            .response
            .labelled_by(model_label.id);
        ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
            let totals = totals(state);
            ui.label(RichText::new(state.t(&totals)).weak())
                .on_hover_text(state.t(&Localized::new(
                "Billed seconds of finished jobs; the money is an estimate from the price table.",
                "已完成任务的计费秒数；金额为根据价格表的估算。",
            )));
        });
    });
    ui.separator();
}

/// Billed seconds and estimated spend today and this month (local time).
fn totals(state: &AppState) -> Localized {
    use chrono::Datelike;
    let today = chrono::Local::now().date_naive();
    let (mut day_s, mut day_cost, mut month_s, mut month_cost) = (0.0, 0.0, 0.0, 0.0);
    for job in &state.jobs {
        let (Some(billed), Some(done)) = (job.billed_seconds, job.entered(JobState::Done)) else {
            continue;
        };
        let Some(when) = chrono::DateTime::from_timestamp_millis(done) else {
            continue;
        };
        let date = when.with_timezone(&chrono::Local).date_naive();
        let price = caps::estimate_price(&state.prices, job.spec.model, job.spec.tier, 1)
            .unwrap_or(0.0)
            * billed;
        if date.year() == today.year() && date.month() == today.month() {
            month_s += billed;
            month_cost += price;
            if date == today {
                day_s += billed;
                day_cost += price;
            }
        }
    }
    let c = caps::PRICE_CURRENCY;
    Localized::new(
        format!(
            "Today {day_s} s ≈ {day_cost:.2} {c} · This month {month_s} s ≈ {month_cost:.2} {c}"
        ),
        format!("今天 {day_s} 秒 ≈ {day_cost:.2} {c} · 本月 {month_s} 秒 ≈ {month_cost:.2} {c}"),
    )
}

fn row_ui(ui: &mut Ui, state: &mut AppState, job: &Job, now: i64) {
    state.want_job_thumb(job);
    let progress = state.progress.get(&job.id).cloned().unwrap_or_default();
    ui.allocate_ui(egui::vec2(ui.available_width(), ROW_HEIGHT), |ui| {
        ui.horizontal(|ui| {
            let thumb = state.job_thumbs.get(&job.id).map(|(k, t)| (*k, t.clone()));
            match thumb {
                Some((key, thumb)) => {
                    widgets::thumb_image(ui, state, key, &thumb, egui::vec2(56.0, 56.0));
                }
                None => {
                    ui.allocate_exact_size(egui::vec2(56.0, 56.0), egui::Sense::hover());
                }
            }
            ui.vertical(|ui| {
                ui.horizontal(|ui| {
                    let (color, text) = status(ui, state, job, &progress, now);
                    // The state on the left, cut short if need be; actions on the right.
                    egui::Sides::new().shrink_left().truncate().show(
                        ui,
                        |ui| {
                            ui.colored_label(color, "●");
                            ui.label(RichText::new(&text).strong());
                        },
                        |ui| actions_ui(ui, state, job),
                    );
                });
                let names: Vec<String> =
                    job.spec.references.iter().map(|r| r.name.clone()).collect();
                let mut title = super::prompt_editor::highlight(ui, job.title(), &names);
                title.wrap.max_rows = 1;
                title.wrap.break_anywhere = true;
                title.wrap.max_width = ui.available_width();
                ui.add(egui::Label::new(title).truncate());
                ui.label(RichText::new(details(state, job, now)).weak().small());
            });
        });
    });
    ui.separator();
}

/// The state in words, with the stage's progress.
fn status(
    ui: &Ui,
    state: &AppState,
    job: &Job,
    progress: &JobProgress,
    now: i64,
) -> (egui::Color32, String) {
    let words = state.t(&job.state.describe());
    let clock = |ms: i64| {
        let s = (ms / 1000).max(0);
        format!("{}:{:02}", s / 60, s % 60)
    };
    let accent = ui.visuals().selection.bg_fill;
    let error = ui.visuals().error_fg_color;
    match job.state {
        JobState::Queued => {
            let text = match progress.queue_position {
                Some(p) => state.t(&Localized::new(
                    format!("{words} (position {p})"),
                    format!("{words}（第 {p} 位）"),
                )),
                None => words,
            };
            (accent, text)
        }
        JobState::Uploading => {
            let parts: Vec<String> = progress
                .uploads
                .iter()
                .map(|(i, (sent, total))| {
                    format!(
                        "#{} {}%",
                        i + 1,
                        (sent * 100).checked_div(*total).unwrap_or(100)
                    )
                })
                .collect();
            (accent, format!("{words} {}", parts.join(" · ")))
        }
        JobState::Pending | JobState::Running => {
            let started = job.task_created_ms.unwrap_or(job.created_ms);
            let elapsed = now - started;
            let mut text = format!("{words} · {}", clock(elapsed));
            if let Some(expected) = job.expected_secs {
                let left = (expected * 1000.0) as i64 - elapsed;
                text += &if left > 0 {
                    state.t(&Localized::new(
                        format!(" · about {} left", clock(left)),
                        format!(" · 约剩 {}", clock(left)),
                    ))
                } else {
                    state.t(&Localized::new(
                        " · taking longer than usual",
                        " · 比平时久一些",
                    ))
                };
            }
            (accent, text)
        }
        JobState::Downloading => {
            let text = match progress.download {
                Some((received, Some(total), speed)) if total > 0 => format!(
                    "{words} {}% · {}/s",
                    received * 100 / total,
                    file_size(speed as u64)
                ),
                Some((received, _, _)) => format!("{words} {}", file_size(received)),
                None => words,
            };
            (accent, text)
        }
        JobState::Done => {
            let billed = job.billed_seconds.unwrap_or(job.spec.duration as f64);
            let cost = caps::estimate_price(&state.prices, job.spec.model, job.spec.tier, 1)
                .map(|p| p * billed);
            let money = cost
                .map(|c| {
                    state.t(&Localized::new(
                        format!(" ≈ {c:.2} {} (estimate)", caps::PRICE_CURRENCY),
                        format!(" ≈ {c:.2} {}（估算）", caps::PRICE_CURRENCY),
                    ))
                })
                .unwrap_or_default();
            let text = state.t(&Localized::new(
                format!("{words} · billed {billed} s{money}"),
                format!("{words} · 计费 {billed} 秒{money}"),
            ));
            (egui::Color32::from_rgb(80, 180, 100), text)
        }
        JobState::Failed | JobState::Expired => {
            // What happened here; what to do is on the details line.
            let text = match &job.error {
                Some(e) => format!("{words} ({}): {}", e.code, e.message),
                None => words,
            };
            (error, text)
        }
        JobState::SubmitUnknown => {
            let text = job.warning.as_ref().map(|w| state.t(w)).unwrap_or(words);
            (error, text)
        }
        JobState::Canceled => (ui.visuals().weak_text_color(), words),
        _ => {
            let text = match &job.warning {
                Some(w) => format!("{words} · {}", state.t(w)),
                None => words,
            };
            (accent, text)
        }
    }
}

/// Model, size, length, sound, and how long the task id and link stay valid.
fn details(state: &AppState, job: &Job, now: i64) -> String {
    let size = job.spec.size().map(|s| s.to_string()).unwrap_or_default();
    let mut parts = Vec::new();
    if let Some(e) = &job.error
        && job.state.is_final()
    {
        parts.push(e.advice.get(state.lang).to_string());
    }
    parts.extend([
        job.spec.model.info().display_name.to_string(),
        size,
        format!("{} s", job.spec.duration),
    ]);
    if job.spec.audio {
        parts.push(state.t(&Localized::new("sound", "有声")));
    }
    let hours = |until: i64| {
        let left = (until - now).max(0) / 60_000;
        format!("{}h{:02}m", left / 60, left % 60)
    };
    if !job.state.is_final() {
        if let Some(created) = job.task_created_ms {
            let until = created + (caps::TASK_LIFETIME_SECS * 1000) as i64;
            parts.push(state.t(&Localized::new(
                format!("task id valid {}", hours(until)),
                format!("任务 ID 有效 {}", hours(until)),
            )));
        }
        if let Some(until) = job.video_url_expires_ms {
            parts.push(state.t(&Localized::new(
                format!("link valid {}", hours(until)),
                format!("视频链接有效 {}", hours(until)),
            )));
        }
    }
    if let Some(e) = &job.error
        && let Some(id) = &e.request_id
    {
        parts.push(format!("request_id {id}"));
    }
    if job.state == JobState::Done
        && let Some(path) = &job.output_path
    {
        parts.push(path.display().to_string());
    }
    parts.join(" · ")
}

fn actions_ui(ui: &mut Ui, state: &mut AppState, job: &Job) {
    let lang = state.lang;
    let t = |l: Localized| l.get(lang).to_string();
    ui.menu_button(t(Localized::new("More", "更多")), |ui| {
        if ui
            .button(t(Localized::new(
                "Restore settings into the editor",
                "把设置恢复到编辑区",
            )))
            .clicked()
        {
            state.restore(&job.spec);
            ui.close();
        }
        if let Some(task) = &job.task_id
            && ui
                .button(t(Localized::new("Copy task id", "复制任务 ID")))
                .clicked()
        {
            state.outbox.push(Request::CopyText(task.clone()));
            ui.close();
        }
        let request_id = job
            .error
            .as_ref()
            .and_then(|e| e.request_id.clone())
            .or_else(|| job.calls.last().map(|c| c.request_id.clone()));
        if let Some(id) = request_id
            && ui
                .button(t(Localized::new("Copy request id", "复制 request_id")))
                .clicked()
        {
            state.outbox.push(Request::CopyText(id));
            ui.close();
        }
        let body = job.request.clone().or_else(|| {
            CreateTaskRequest::from_spec(&job.spec, &export::placeholder_urls(&job.spec))
        });
        if let Some(body) = body {
            if ui
                .button(t(Localized::new(
                    "Copy the request as JSON",
                    "复制请求（JSON）",
                )))
                .clicked()
            {
                state
                    .outbox
                    .push(Request::CopyText(export::request_json(&body)));
                ui.close();
            }
            if ui
                .button(t(Localized::new(
                    "Copy the request as curl",
                    "复制请求（curl）",
                )))
                .clicked()
            {
                state.outbox.push(Request::CopyText(export::curl_command(
                    &state.base_url,
                    &body,
                )));
                ui.close();
            }
        }
        if job.state.is_final() || job.state == JobState::SubmitUnknown {
            ui.separator();
            if ui
                .button(t(Localized::new(
                    "Remove from the list (keeps the video)",
                    "从列表中移除（保留视频）",
                )))
                .clicked()
            {
                state.outbox.push(Request::Engine(Command::Remove {
                    id: job.id.clone(),
                    delete_video: false,
                }));
                ui.close();
            }
            if job.output_path.is_some()
                && ui
                    .button(t(Localized::new(
                        "Remove and delete the video…",
                        "移除并删除视频…",
                    )))
                    .clicked()
            {
                state.jobs_view.confirm_delete = Some(job.id.clone());
                ui.close();
            }
        }
    });
    match job.state {
        JobState::Done => {
            if let Some(path) = &job.output_path {
                if ui
                    .button(t(Localized::new("Show in folder", "在文件夹中显示")))
                    .clicked()
                {
                    state.outbox.push(Request::Reveal(path.clone()));
                }
                if ui.button(t(Localized::new("Play", "播放"))).clicked() {
                    state.outbox.push(Request::Open(path.clone()));
                }
            }
        }
        JobState::Queued
        | JobState::Uploading
        | JobState::Submitting
        | JobState::Pending
        | JobState::Running
            if ui.button(t(Localized::new("Cancel", "取消"))).clicked() =>
        {
            state
                .outbox
                .push(Request::Engine(Command::Cancel(job.id.clone())));
        }
        JobState::SubmitUnknown => {
            if ui
                .button(t(Localized::new("Submit anew…", "重新提交…")))
                .clicked()
            {
                state.jobs_view.confirm_resubmit = Some(job.id.clone());
            }
            if ui
                .button(t(Localized::new("Look again", "再次查找")))
                .clicked()
            {
                state
                    .outbox
                    .push(Request::Engine(Command::LookAgain(job.id.clone())));
            }
        }
        _ => {}
    }
    if job.state.is_final() && ui.button(t(Localized::new("Retry…", "重试…"))).clicked() {
        state.jobs_view.confirm_retry = Some(job.id.clone());
    }
    if let Some(error) = &job.error
        && let Some(id) = &error.request_id
        && ui
            .small_button("request_id")
            .on_hover_text(t(Localized::new(
                "Copy the request_id to quote to support",
                "复制 request_id，以便提供给技术支持",
            )))
            .clicked()
    {
        state.outbox.push(Request::CopyText(id.clone()));
    }
}

/// Dialogs for choices that cost money or delete files.
fn confirmations(ctx: &egui::Context, state: &mut AppState) {
    let lang = state.lang;
    if let Some(id) = state.jobs_view.confirm_retry.clone() {
        let price = state
            .jobs
            .iter()
            .find(|j| j.id == id)
            .and_then(|j| j.spec.estimated_price(&state.prices));
        let (en, zh) = match price {
            Some(p) => (
                format!(" (about {p:.2} {}, an estimate)", caps::PRICE_CURRENCY),
                format!("（约 {p:.2} {}，估算）", caps::PRICE_CURRENCY),
            ),
            None => (String::new(), String::new()),
        };
        let answer = confirm(
            ctx,
            lang,
            "confirm-retry",
            [
                Localized::new("Retry this generation?", "重试这次生成？"),
                Localized::new(
                    format!("Retrying creates a new task on the service and is billed again{en}."),
                    format!("重试会在服务端创建新任务，并再次计费{zh}。"),
                ),
                Localized::new("Retry (billed again)", "重试（再次计费）"),
                Localized::new("Keep as it is", "保持不变"),
            ],
        );
        if let Some(yes) = answer {
            if yes {
                let command = Command::Retry {
                    from: id,
                    new_id: JobId::new(),
                };
                state.outbox.push(Request::Engine(command));
            }
            state.jobs_view.confirm_retry = None;
        }
    }
    if let Some(id) = state.jobs_view.confirm_resubmit.clone() {
        let answer = confirm(
            ctx,
            lang,
            "confirm-resubmit",
            [
                Localized::new("Submit anew?", "重新提交？"),
                Localized::new(
                    "It is not known whether the first submission created a task. Submitting anew may create a second task, and both would be billed. Choose “Look again” instead if you can wait.",
                    "无法确定第一次提交是否已创建任务。重新提交可能会创建第二个任务，两者都会计费。如果可以等待，请改选“再次查找”。",
                ),
                Localized::new(
                    "Submit anew (may be billed twice)",
                    "重新提交（可能重复计费）",
                ),
                Localized::new("Not now", "暂不"),
            ],
        );
        if let Some(yes) = answer {
            if yes {
                state.outbox.push(Request::Engine(Command::SubmitAnew(id)));
            }
            state.jobs_view.confirm_resubmit = None;
        }
    }
    if let Some(id) = state.jobs_view.confirm_delete.clone() {
        let answer = confirm(
            ctx,
            lang,
            "confirm-delete",
            [
                Localized::new("Delete the video?", "删除视频？"),
                Localized::new(
                    "The MP4 and its details file are deleted from disk, and the job leaves the list. This cannot be undone.",
                    "MP4 文件及其详情文件将从磁盘删除，任务也会从列表中移除。此操作无法撤销。",
                ),
                Localized::new("Delete", "删除"),
                Localized::new("Keep", "保留"),
            ],
        );
        if let Some(yes) = answer {
            if yes {
                let command = Command::Remove {
                    id,
                    delete_video: true,
                };
                state.outbox.push(Request::Engine(command));
            }
            state.jobs_view.confirm_delete = None;
        }
    }
}

/// A modal question: title, explanation, the button that goes ahead, the one that
/// does not. `Some(true)` when the user went ahead, `Some(false)` when not.
fn confirm(
    ctx: &egui::Context,
    lang: crate::core::Lang,
    id: &str,
    texts: [Localized; 4],
) -> Option<bool> {
    let [title, body, yes, no] = texts;
    let mut answer = None;
    egui::Modal::new(Id::unique(id)).show(ctx, |ui| {
        ui.set_max_width(440.0);
        ui.heading(title.get(lang));
        ui.label(body.get(lang));
        ui.horizontal(|ui| {
            if ui.button(yes.get(lang)).clicked() {
                answer = Some(true);
            }
            if ui.button(no.get(lang)).clicked() {
                answer = Some(false);
            }
        });
    });
    answer
}
