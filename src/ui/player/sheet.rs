//! What only the take sheet has: the grid of tiles, each tile's caption (which
//! take it is, its star, its note, "use these settings") and the A/B wipe that
//! shows two of the videos in one picture, split where the user drags.

use super::{Player, Source, TileStatus};
use crate::core::{Lang, Seed};
use crate::engine::MAX_NOTE_CHARS;
use crate::tr;
use crate::ui::command::AppCommand;
use egui::{Color32, Rect, RichText, Sense, Stroke, Ui};

/// Height of the line under each tile of the sheet.
pub(super) const CAPTION_HEIGHT: f32 = 30.0;
/// Space between tiles.
const GAP: f32 = 6.0;

/// Two of the sheet's videos in one picture: `a` left of the line, `b` right of it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wipe {
    pub a: usize,
    pub b: usize,
    /// Where the line is, from 0 (all `b`) to 1 (all `a`).
    pub at: f32,
}

/// Cells for `count` tiles in `area`, row by row, in the arrangement (columns ×
/// rows) that shows pictures of shape `aspect` largest.
pub(super) fn grid(area: Rect, count: usize, aspect: f32) -> Vec<Rect> {
    let count = count.max(1);
    let picture_area = |columns: usize| {
        let rows = count.div_ceil(columns);
        let width = (area.width() - GAP * (columns - 1) as f32) / columns as f32;
        let height = (area.height() - GAP * (rows - 1) as f32) / rows as f32 - CAPTION_HEIGHT;
        let fitted_width = width.min(height.max(0.0) * aspect);
        fitted_width * fitted_width / aspect
    };
    let columns = (1..=count)
        .max_by(|&x, &y| picture_area(x).total_cmp(&picture_area(y)))
        .unwrap_or(count);
    let rows = count.div_ceil(columns);
    let width = (area.width() - GAP * (columns - 1) as f32) / columns as f32;
    let height = (area.height() - GAP * (rows - 1) as f32) / rows as f32;
    (0..count)
        .map(|i| {
            let (column, row) = (i % columns, i / columns);
            let min = egui::pos2(
                area.left() + column as f32 * (width + GAP),
                area.top() + row as f32 * (height + GAP),
            );
            Rect::from_min_size(min, egui::vec2(width, height))
        })
        .collect()
}

/// "Take 2 of 3" for a take, "Video 2" for a job chosen in the list.
pub(super) fn label(source: &Source, index: usize, lang: Lang) -> String {
    match source.job.as_ref().and_then(|j| j.take_set.as_ref()) {
        Some(set) => tr!(lang, "sheet-take", index = set.index, of = set.of),
        None => tr!(lang, "sheet-video", number = index + 1),
    }
}

/// The prompt and seed, for the caption's hover.
fn about(source: &Source, lang: Lang) -> String {
    let Some(job) = &source.job else {
        return source.path.display().to_string();
    };
    let seed = match job.spec.seed {
        Seed::Fixed(seed) => tr!(lang, "sheet-seed", seed = seed),
        Seed::Random => tr!(lang, "sheet-seed-random"),
    };
    format!("{}\n{seed}", job.title()) // not text: two lines joined
}

/// The line under a tile: which take, its star, its note, its settings.
pub(super) fn caption_ui(player: &mut Player, ui: &mut Ui, index: usize, rect: Rect, lang: Lang) {
    let mut commands = Vec::new();
    let mut close = false;
    let heard = player.heard() == Some(index);
    let mut hear = false;
    let source = &mut player.sources[index];
    let name = label(source, index, lang);
    let hover = about(source, lang);
    ui.scope_builder(
        egui::UiBuilder::new()
            .max_rect(rect.shrink2(egui::vec2(2.0, 3.0)))
            .id_salt(("sheet-caption", index)) // not text: an egui id
            .layout(egui::Layout::left_to_right(egui::Align::Center)),
        |ui| {
            ui.label(RichText::new(&name).strong()).on_hover_text(hover);
            let Some(job) = source.job.clone() else {
                return;
            };
            if source.tile.sound.has_track() {
                let button = ui
                    .add(egui::Button::selectable(heard, tr!(lang, "sheet-hear")))
                    .on_hover_text(tr!(lang, "sheet-hear-hint"));
                button.widget_info(|| {
                    egui::WidgetInfo::selected(
                        egui::Role::CheckBox,
                        true,
                        heard,
                        tr!(lang, "sheet-hear-take", take = name.as_str()),
                    )
                });
                hear = button.clicked();
            }
            let starred = source.sent.as_ref().unwrap_or(&job.review).starred;
            let star = ui
                .add(egui::Button::selectable(
                    starred,
                    if starred { "★" } else { "☆" },
                )) // not text: symbols
                .on_hover_text(tr!(lang, "sheet-star-hint"));
            star.widget_info(|| {
                egui::WidgetInfo::selected(
                    egui::Role::CheckBox,
                    true,
                    starred,
                    tr!(lang, "sheet-star", take = name.as_str()),
                )
            });
            if star.clicked()
                && let Some(review) = source.changed_review(Some(!starred))
            {
                commands.push(AppCommand::Engine(review));
            }
            let use_settings = tr!(lang, "sheet-use-settings");
            let button_width = ui.fonts_mut(|f| {
                f.layout_no_wrap(
                    use_settings.clone(),
                    egui::TextStyle::Button.resolve(ui.style()),
                    Color32::WHITE,
                )
                .size()
                .x
            }) + 3.0 * ui.spacing().button_padding.x
                + ui.spacing().item_spacing.x;
            let note = ui
                .add(
                    egui::TextEdit::singleline(&mut source.note)
                        .id_salt(("sheet-note", index)) // not text: an egui id
                        .hint_text(tr!(lang, "sheet-note-hint"))
                        .char_limit(MAX_NOTE_CHARS)
                        .desired_width((ui.available_width() - button_width).max(40.0)),
                )
                .on_hover_text(tr!(lang, "sheet-note-about"));
            note.widget_info(|| {
                egui::WidgetInfo::labeled(
                    egui::Role::TextInput,
                    true,
                    tr!(lang, "sheet-note", take = name.as_str()),
                )
            });
            if note.lost_focus()
                && let Some(review) = source.changed_review(None)
            {
                commands.push(AppCommand::Engine(review));
            }
            let restore = ui
                .button(use_settings)
                .on_hover_text(tr!(lang, "sheet-use-settings-hint"));
            restore.widget_info(|| {
                egui::WidgetInfo::labeled(
                    egui::Role::Button,
                    true,
                    tr!(lang, "sheet-use-settings-of", take = name.as_str()),
                )
            });
            if restore.clicked() {
                commands.push(AppCommand::Restore(Box::new(job.spec.clone())));
                close = true;
            }
        },
    );
    if hear {
        player.listen = Some(index);
    }
    player.commands.extend(commands);
    if close {
        // The editor, with the take's settings in it, takes the sheet's place.
        player.close();
    }
}

/// The wipe's switch and, while it is on, which video is A and which is B.
pub(super) fn wipe_controls(player: &mut Player, ui: &mut Ui, lang: Lang) {
    let ready: Vec<usize> = (0..player.sources.len())
        .filter(|&i| player.sources[i].ready())
        .collect();
    ui.separator();
    let mut on = player.wipe.is_some();
    let toggle = ui
        .add_enabled(
            ready.len() >= 2,
            egui::Button::selectable(on, tr!(lang, "sheet-wipe")),
        )
        .on_hover_text(tr!(lang, "sheet-wipe-hint"));
    if toggle.clicked() {
        on = !on;
        player.wipe = match (on, ready.as_slice()) {
            (true, [a, b, ..]) => Some(Wipe {
                a: *a,
                b: *b,
                at: 0.5,
            }),
            _ => None,
        };
        for source in &mut player.sources {
            source.tile.discontinuity();
        }
    }
    let Some(mut wipe) = player.wipe else { return };
    for (side, chosen) in [("A", &mut wipe.a), ("B", &mut wipe.b)] {
        let current = label(&player.sources[*chosen], *chosen, lang);
        let caption = ui.label(RichText::new(side).strong()); // not text: a letter naming a side
        egui::ComboBox::from_id_salt(("sheet-wipe-side", side)) // not text: an egui id
            .selected_text(current)
            .show_ui(ui, |ui| {
                for &i in &ready {
                    let name = label(&player.sources[i], i, lang);
                    ui.selectable_value(chosen, i, name);
                }
            })
            .response
            .labelled_by(caption.id);
    }
    player.wipe = Some(wipe);
}

/// The two videos of the wipe in one picture; a drag (or click) moves the line.
pub(super) fn wipe_ui(player: &mut Player, ui: &mut Ui, area: Rect, lang: Lang, now: f64) {
    let Some(mut wipe) = player.wipe else { return };
    let response = ui
        .interact(
            area,
            egui::Id::unique("sheet-wipe-area"),
            Sense::click_and_drag(),
        ) // not text: an egui id
        .on_hover_cursor(egui::CursorIcon::ResizeHorizontal);
    if (response.dragged() || response.clicked())
        && let Some(pointer) = response.interact_pointer_pos()
    {
        wipe.at = ((pointer.x - area.left()) / area.width().max(1.0)).clamp(0.0, 1.0);
        player.wipe = Some(wipe);
    }
    let split = area.left() + area.width() * wipe.at;
    ui.painter().rect_filled(area, 0.0, Color32::BLACK);
    let ppp = ui.ctx().pixels_per_point();
    let position = player.clock.position(now);
    let halves = [
        (
            wipe.a,
            Rect::from_min_max(area.min, egui::pos2(split, area.max.y)),
        ),
        (
            wipe.b,
            Rect::from_min_max(egui::pos2(split, area.min.y), area.max),
        ),
    ];
    for (index, half) in halves {
        let Some(source) = player.sources.get_mut(index) else {
            continue;
        };
        if source.tile.status != TileStatus::Ready {
            continue;
        }
        let painter = ui.painter().with_clip_rect(half.intersect(ui.clip_rect()));
        let picture = source.tile.paint(&painter, area);
        source.picture = Some(picture);
        let physical = (
            (picture.width() * ppp).round() as u32,
            (picture.height() * ppp).round() as u32,
        );
        let target = source.tile.index_at(position);
        source.tile.want_size(physical, target);
    }
    let painter = ui.painter();
    let line = Stroke::new(2.0, Color32::WHITE);
    painter.line_segment(
        [
            egui::pos2(split, area.top()),
            egui::pos2(split, area.bottom()),
        ],
        line,
    );
    painter.circle(
        egui::pos2(split, area.center().y),
        9.0,
        Color32::from_black_alpha(160),
        line,
    );
    let font = egui::TextStyle::Body.resolve(ui.style());
    for (index, side, align, x) in [
        (wipe.a, "A", egui::Align2::LEFT_TOP, area.left() + 8.0), // not text: a letter naming a side
        (wipe.b, "B", egui::Align2::RIGHT_TOP, area.right() - 8.0), // not text: a letter naming a side
    ] {
        let Some(source) = player.sources.get(index) else {
            continue;
        };
        let text = format!("{side} · {}", label(source, index, lang)); // not text: a letter and a name
        let galley = painter.layout_no_wrap(text, font.clone(), Color32::WHITE);
        let rect = align.anchor_size(egui::pos2(x, area.top() + 8.0), galley.size());
        painter.rect_filled(rect.expand(4.0), 4.0, Color32::from_black_alpha(170));
        painter.galley(rect.min, galley, Color32::WHITE);
    }
}
