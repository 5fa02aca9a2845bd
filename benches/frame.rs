//! The window's cost per frame: CPU time of one egui pass of the full UI (no
//! GPU) with 7 references, a 5000-character prompt with 60 mentions, and 30,
//! 300 or 3000 jobs in history, against an empty egui frame in the same run.
//! Also a 100 000-character pasted prompt. Tessellation is measured apart.
//!
//! `cargo bench --bench frame` [target: p99 under 4 ms with 300 jobs; the cost
//! must not grow with history length].

use egui::{Pos2, RawInput, Rect, Vec2};
use image::{Rgb, RgbImage};
use r2v_studio::core::{GenerationSpec, Lang, Model, RefSource, Reference, Seed};
use r2v_studio::engine::images;
use r2v_studio::engine::{Event, Job, JobState};
use r2v_studio::ui::app::{AppState, app_ui};
use r2v_studio::ui::fonts;
use r2v_studio::ui::widgets::Thumb;
use std::sync::Arc;
use std::time::Duration;

const FRAMES: usize = 400;
const WARM_UP: usize = 30;

/// This thread's CPU time.
fn cpu_time() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to fill in.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

const NAMES: [&str; 7] = ["男人", "吉他", "cafe", "dog", "猫", "hero", "lamp"];

fn prompt(chars: usize, mentions: usize) -> String {
    let filler = "夕阳下，镜头缓慢推进，the camera glides past warm lights; ";
    let mut out = String::new();
    let mut placed = 0;
    while out.chars().count() < chars {
        out.push_str(filler);
        if placed < mentions {
            out.push('@');
            out.push_str(NAMES[placed % NAMES.len()]);
            out.push(' ');
            placed += 1;
        }
    }
    out.chars().take(chars).collect()
}

fn state(jobs: usize, prompt_chars: usize) -> AppState {
    let mut state = AppState::new(Lang::Zh, "http://127.0.0.1:9/api/v1".into());
    state.editor.add_sources(
        NAMES
            .iter()
            .map(|n| RefSource::Url(format!("https://example.com/{n}.png")))
            .collect(),
    );
    let picture = RgbImage::from_fn(640, 480, |x, y| Rgb([x as u8, y as u8, 120]));
    let mut png = Vec::new();
    picture
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    let thumb = Arc::new(images::thumbnail(&png, 256).expect("thumbnail"));
    for (slot, name) in state.editor.slots.iter_mut().zip(NAMES) {
        slot.name = name.to_string();
        slot.committed = name.to_string();
        slot.thumb = Thumb::Ready(thumb.clone());
    }
    state.editor.prompt = prompt(prompt_chars, 60);
    let spec = GenerationSpec {
        model: Model::V56,
        references: NAMES
            .iter()
            .map(|n| Reference {
                name: n.to_string(),
                source: RefSource::Url(format!("https://example.com/{n}.png")),
            })
            .collect(),
        prompt: prompt(300, 7),
        seed: Seed::Fixed(42),
        ..GenerationSpec::default()
    };
    let now = chrono::Utc::now().timestamp_millis();
    let states = [
        JobState::Done,
        JobState::Done,
        JobState::Failed,
        JobState::Running,
        JobState::Canceled,
        JobState::Pending,
        JobState::Done,
        JobState::Expired,
    ];
    for i in 0..jobs {
        let mut job = Job::new(spec.clone(), "/tmp/out".into(), now - i as i64 * 60_000);
        job.set_state(states[i % states.len()], now - i as i64 * 60_000 + 1_000);
        if job.state == JobState::Done {
            job.billed_seconds = Some(5.0);
        }
        state.apply(Event::Job(Box::new(job)));
    }
    state
}

fn input(frame: usize) -> RawInput {
    RawInput {
        screen_rect: Some(Rect::from_min_size(Pos2::ZERO, Vec2::new(1280.0, 800.0))),
        time: Some(frame as f64 / 60.0),
        ..RawInput::default()
    }
}

struct Times {
    pass: Vec<Duration>,
    tessellate: Vec<Duration>,
}

fn measure(mut ui_fn: impl FnMut(&mut egui::Ui), drain: &mut dyn FnMut()) -> Times {
    let ctx = egui::Context::default();
    fonts::install(&ctx);
    let mut times = Times {
        pass: Vec::new(),
        tessellate: Vec::new(),
    };
    for frame in 0..WARM_UP + FRAMES {
        let start = cpu_time();
        let mut output = ctx.run_ui(input(frame), &mut ui_fn);
        let passed = cpu_time();
        // No GPU: the texture uploads are dropped.
        output.textures_delta.clear();
        let _ = ctx.tessellate(output.shapes, output.pixels_per_point);
        let tessellated = cpu_time();
        drain();
        if frame >= WARM_UP {
            times.pass.push(passed - start);
            times.tessellate.push(tessellated - passed);
        }
    }
    times
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn stats(values: &mut [Duration]) -> (f64, f64, f64) {
    values.sort();
    let at = |p: f64| values[((values.len() - 1) as f64 * p).round() as usize];
    (ms(at(0.5)), ms(at(0.99)), ms(at(1.0)))
}

fn report(what: &str, mut times: Times, empty_p50: Option<f64>) -> f64 {
    let (p50, p99, max) = stats(&mut times.pass);
    let (t50, t99, _) = stats(&mut times.tessellate);
    let ratio = empty_p50
        .map(|e| format!("{:>7.1}×", p50 / e))
        .unwrap_or_default();
    println!(
        "{what:<34} pass p50 {p50:>6.3} ms  p99 {p99:>6.3} ms  max {max:>6.3} ms {ratio}  | tessellate p50 {t50:>6.3} p99 {t99:>6.3} ms"
    );
    p50
}

fn main() {
    println!("frame: {FRAMES} frames after {WARM_UP} warm-up, 1280×800, thread CPU time");
    let empty = report("empty egui frame", measure(|_| {}, &mut || {}), None);
    for (jobs, chars) in [(30, 5000), (300, 5000), (3000, 5000), (300, 100_000)] {
        let state = std::cell::RefCell::new(state(jobs, chars));
        let times = measure(|ui| app_ui(ui, &mut state.borrow_mut()), &mut || {
            state.borrow_mut().take_commands();
        });
        report(
            &format!("full UI, {jobs} jobs, {chars} chars"),
            times,
            Some(empty),
        );
    }
}
