//! Where a finished video goes and the sidecar written beside it.

use super::job::{Job, JobState};
use crate::core::mentions::is_name_char;
use serde_json::json;
use std::path::{Path, PathBuf};

/// `<date>_<first words of the prompt>_<short id>`, safe on every file system.
pub fn base_name(job: &Job, date: &str) -> String {
    let mut words = String::new();
    for word in job
        .spec
        .prompt
        .split(|c: char| !is_name_char(c))
        .filter(|w| !w.is_empty())
    {
        let sep = usize::from(!words.is_empty());
        if words.chars().count() + sep + word.chars().count() > 32 {
            if words.is_empty() {
                words = word.chars().take(16).collect();
            }
            break;
        }
        if sep == 1 {
            words.push('-');
        }
        words.push_str(word);
        if words.chars().count() >= 24 {
            break;
        }
    }
    if words.is_empty() {
        words.push_str("video");
    }
    format!("{date}_{words}_{}", job.id.short())
}

/// A path in `dir` for `base` + `.mp4` that neither exists nor is being written
/// (no `.part`), adding `-2`, `-3`… when needed.
pub fn free_video_path(dir: &Path, base: &str) -> PathBuf {
    let taken = |p: &Path| p.exists() || part_path(p).exists() || p.with_extension("json").exists();
    let first = dir.join(format!("{base}.mp4"));
    if !taken(&first) {
        return first;
    }
    (2..)
        .map(|n| dir.join(format!("{base}-{n}.mp4")))
        .find(|p| !taken(p))
        .unwrap_or(first)
}

/// The temporary file a download streams into.
pub fn part_path(video: &Path) -> PathBuf {
    let mut name = video.file_name().unwrap_or_default().to_os_string();
    name.push(".part");
    video.with_file_name(name)
}

/// The sidecar: everything needed to understand and redo the generation. No key.
///
/// `done_ms`: when the job is done, if it is not journaled as done yet.
pub fn sidecar(job: &Job, done_ms: Option<i64>) -> serde_json::Value {
    let at = |state: JobState| job.entered(state).map(ms_to_rfc3339);
    json!({
        "app": "R2V Studio",
        "app_version": env!("CARGO_PKG_VERSION"),
        "job_id": job.id.0,
        "task_id": job.task_id,
        "model": job.spec.model.wire_name(),
        "spec": job.spec,
        "request": job.request,
        "seed": match job.spec.seed {
            crate::core::Seed::Random => json!("random"),
            crate::core::Seed::Fixed(s) => json!(s),
        },
        "take_set": job.take_set,
        "request_ids": job.calls,
        "billed_seconds": job.billed_seconds,
        "usage": job.usage,
        "service_times": job.service_times,
        "timings": {
            "queued": at(JobState::Queued),
            "upload_started": at(JobState::Uploading),
            "submitted": at(JobState::Submitting),
            "task_created": job.task_created_ms.map(ms_to_rfc3339),
            "pending": at(JobState::Pending),
            "running": at(JobState::Running),
            "succeeded": at(JobState::Succeeded),
            "download_started": at(JobState::Downloading),
            "done": at(JobState::Done).or(done_ms.map(ms_to_rfc3339)),
        },
        "attempts": job.attempts,
        "video": job.output_path.as_ref().and_then(|p| p.file_name()).map(|n| n.to_string_lossy().into_owned()),
    })
}

pub fn ms_to_rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| {
            t.with_timezone(&chrono::Local)
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::GenerationSpec;

    fn job(prompt: &str) -> Job {
        let spec = GenerationSpec {
            prompt: prompt.into(),
            ..GenerationSpec::default()
        };
        Job::new(spec, "/tmp".into(), 0)
    }

    #[test]
    fn names_use_the_date_the_first_words_and_a_short_id() {
        let j = job("@hero plays a slow country song by the window of @cafe");
        let name = base_name(&j, "2026-11-24");
        assert_eq!(
            name,
            format!("2026-11-24_hero-plays-a-slow-country_{}", j.id.short())
        );
        let j = job("@男人 坐在靠窗的椅子上，手持@吉他 ，在咖啡厅里弹一首很慢的乡村歌曲");
        let name = base_name(&j, "2026-11-24");
        assert!(
            name.starts_with("2026-11-24_男人-坐在靠窗的椅子上-手持-吉他"),
            "{name}"
        );
        assert!(base_name(&job("!!!"), "d").starts_with("d_video_"));
    }

    #[test]
    fn never_reuses_an_existing_name() {
        let dir = tempfile::tempdir().unwrap();
        let first = free_video_path(dir.path(), "a");
        assert_eq!(first, dir.path().join("a.mp4"));
        std::fs::write(&first, b"x").unwrap();
        let second = free_video_path(dir.path(), "a");
        assert_eq!(second, dir.path().join("a-2.mp4"));
        std::fs::write(part_path(&second), b"x").unwrap();
        assert_eq!(free_video_path(dir.path(), "a"), dir.path().join("a-3.mp4"));
        assert_eq!(part_path(&first), dir.path().join("a.mp4.part"));
    }

    #[test]
    fn the_sidecar_carries_the_request_and_timings() {
        let mut j = job("@a 走");
        j.task_id = Some("t-1".into());
        j.set_state(JobState::Done, 10);
        let s = sidecar(&j, None);
        assert_eq!(s["task_id"], "t-1");
        assert_eq!(s["seed"], "random");
        assert!(s["timings"]["done"].as_str().unwrap().contains('T'));
        assert_eq!(s["app_version"], env!("CARGO_PKG_VERSION"));
        assert!(s["take_set"].is_null(), "a single job is in no set");
    }

    #[test]
    fn the_sidecar_of_a_take_names_its_set_index_and_count() {
        let mut j = job("@a 走");
        j.spec.seed = crate::core::Seed::Fixed(77);
        j.take_set = Some(crate::engine::TakeSet {
            id: "set-1".into(),
            index: 2,
            of: 3,
            drawn_seed: true,
        });
        let s = sidecar(&j, None);
        assert_eq!(s["take_set"]["id"], "set-1");
        assert_eq!(s["take_set"]["index"], 2);
        assert_eq!(s["take_set"]["of"], 3);
        assert_eq!(s["take_set"]["drawn_seed"], true);
        assert_eq!(s["seed"], 77);
    }
}
