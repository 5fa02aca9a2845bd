//! The create call's body checked as the service checks it: from the wire JSON,
//! with a precise message for any invalid field. The rules come from the
//! simulator's own tables ([`super::service`]), never from the client's.

use super::service::{
    self, MEDIA_MAX, MEDIA_MIN, MEDIA_TYPE, SEED_MAX, ServiceModel, is_oss, mentions,
    ref_name_problem,
};
use serde_json::Value;
use std::collections::HashSet;

/// A create body that passed every check.
#[derive(Debug, Clone)]
pub struct ValidCreate {
    pub model: &'static ServiceModel,
    pub prompt: String,
    pub media_urls: Vec<String>,
    /// `W*H`, as the service writes it back in `usage.size`.
    pub size: String,
    /// The resolution's name, e.g. `720P`.
    pub resolution: &'static str,
    pub duration: u32,
    pub audio: bool,
    pub seed: Option<u64>,
}

/// Why the service refuses a request: HTTP status, code, message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

fn invalid(message: impl Into<String>) -> Reject {
    Reject {
        status: 400,
        code: "InvalidParameter",
        message: message.into(),
    }
}

/// Checks a create body. `oss://` URLs are checked elsewhere (they need state).
pub fn check_create(body: &[u8]) -> Result<ValidCreate, Reject> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| invalid(format!("The request body is not valid JSON: {e}")))?;
    let model_name = value
        .get("model")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("Field required: model"))?;
    let model = service::model(model_name).ok_or_else(|| Reject {
        status: 404,
        code: "ModelNotFound",
        message: format!("Model not exist: {model_name}"),
    })?;
    let input = value
        .get("input")
        .filter(|v| v.is_object())
        .ok_or_else(|| invalid("Field required: input"))?;
    let prompt = input
        .get("prompt")
        .and_then(Value::as_str)
        .filter(|p| !p.trim().is_empty())
        .ok_or_else(|| invalid("Field required: input.prompt"))?;
    let limit = model.prompt_limit;
    let chars = prompt.chars().count();
    if chars > limit {
        return Err(invalid(format!(
            "Range of input.prompt length should be [1, {limit}], got {chars} characters"
        )));
    }
    let media = input
        .get("media")
        .and_then(Value::as_array)
        .ok_or_else(|| invalid("Field required: input.media"))?;
    if !(MEDIA_MIN..=MEDIA_MAX).contains(&media.len()) {
        return Err(invalid(format!(
            "The number of input.media should be in [{MEDIA_MIN}, {MEDIA_MAX}], got {}",
            media.len()
        )));
    }
    let mut urls = Vec::new();
    let mut ref_names = Vec::new();
    for (i, item) in media.iter().enumerate() {
        let kind = item.get("type").and_then(Value::as_str);
        if kind != Some(MEDIA_TYPE) {
            return Err(invalid(format!(
                "input.media[{i}].type must be \"{MEDIA_TYPE}\", got {}",
                item.get("type").map_or("nothing".into(), Value::to_string)
            )));
        }
        let url = item
            .get("url")
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty())
            .ok_or_else(|| invalid(format!("Field required: input.media[{i}].url")))?;
        let lower = url.to_ascii_lowercase();
        if !(lower.starts_with("http://") || lower.starts_with("https://") || is_oss(url)) {
            return Err(invalid(format!(
                "input.media[{i}].url must be an http(s) or oss URL: {url}"
            )));
        }
        urls.push(url.to_string());
        match item.get("ref_name") {
            None | Some(Value::Null) => {}
            Some(Value::String(name)) => {
                if let Some(problem) = ref_name_problem(name) {
                    return Err(invalid(format!(
                        "input.media[{i}].ref_name is invalid: {problem}"
                    )));
                }
                ref_names.push((i, name.as_str()));
            }
            Some(other) => {
                return Err(invalid(format!(
                    "input.media[{i}].ref_name must be a string, got {other}"
                )));
            }
        }
    }
    check_ref_names(prompt, media.len(), &ref_names)?;

    let parameters = value
        .get("parameters")
        .filter(|v| v.is_object())
        .ok_or_else(|| invalid("Field required: parameters"))?;
    let size_text = parameters
        .get("size")
        .and_then(Value::as_str)
        .ok_or_else(|| invalid("Field required: parameters.size"))?;
    let resolution = service::parse_size(size_text)
        .and_then(|size| model.resolution_of(size))
        .ok_or_else(|| {
            invalid(format!(
                "parameters.size {size_text} is not supported by {}; supported sizes: {}",
                model.name,
                model.size_names().join(", ")
            ))
        })?;
    let duration = parameters
        .get("duration")
        .and_then(Value::as_u64)
        .ok_or_else(|| {
            invalid("Field required: parameters.duration (an integer number of seconds)")
        })?;
    let allowed = resolution.durations;
    let duration = u32::try_from(duration)
        .ok()
        .filter(|d| allowed.allows(*d))
        .ok_or_else(|| {
            invalid(format!(
                "parameters.duration {duration} is not supported by {} at {}; supported: {}",
                model.name,
                resolution.name,
                allowed.describe()
            ))
        })?;
    let flag = |name: &str| -> Result<bool, Reject> {
        match parameters.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(invalid(format!(
                "parameters.{name} must be a boolean, got {other}"
            ))),
        }
    };
    let audio = flag("audio")?;
    flag("watermark")?;
    let seed = match parameters.get("seed") {
        None | Some(Value::Null) => None,
        Some(v) => Some(v.as_u64().filter(|s| *s <= SEED_MAX).ok_or_else(|| {
            invalid(format!(
                "parameters.seed must be an integer in [0, {SEED_MAX}], got {v}"
            ))
        })?),
    };
    Ok(ValidCreate {
        model,
        prompt: prompt.to_string(),
        media_urls: urls,
        size: size_text.to_string(),
        resolution: resolution.name,
        duration,
        audio,
        seed,
    })
}

/// `ref_name`s and mentions must match one to one, and each mention must be
/// followed by a space.
fn check_ref_names(
    prompt: &str,
    media_count: usize,
    ref_names: &[(usize, &str)],
) -> Result<(), Reject> {
    let found = mentions(prompt);
    if ref_names.is_empty() {
        return match found.first() {
            Some(m) => Err(invalid(format!(
                "input.prompt mentions @{} but no input.media item has a ref_name",
                m.name
            ))),
            None => Ok(()),
        };
    }
    if ref_names.len() != media_count {
        return Err(invalid(
            "ref_name must be given for every input.media item or for none",
        ));
    }
    let mut seen = HashSet::new();
    for (i, name) in ref_names {
        if !seen.insert(*name) {
            return Err(invalid(format!(
                "input.media[{i}].ref_name \"{name}\" is duplicated"
            )));
        }
    }
    let mut mentioned = HashSet::new();
    for m in &found {
        if !seen.contains(m.name) {
            return Err(invalid(format!(
                "input.prompt mentions @{} but no input.media item has that ref_name",
                m.name
            )));
        }
        if m.next != Some(' ') {
            return Err(invalid(format!(
                "In input.prompt, @{} must be followed by a space",
                m.name
            )));
        }
        mentioned.insert(m.name);
    }
    for (i, name) in ref_names {
        if !mentioned.contains(name) {
            return Err(invalid(format!(
                "input.media[{i}].ref_name \"{name}\" is not mentioned in input.prompt as @{name}"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn body(model: &str, prompt: &str, media: Value, size: &str, duration: u32) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "model": model,
            "input": {"media": media, "prompt": prompt},
            "parameters": {"size": size, "duration": duration, "audio": false, "watermark": false}
        }))
        .unwrap()
    }

    const C1: &str = "pixverse/pixverse-c1-r2v";
    const V56: &str = "pixverse/pixverse-v5.6-r2v";

    fn one() -> Value {
        json!([{"type": "image_url", "url": "https://e.com/a.png"}])
    }

    fn named(names: &[&str]) -> Value {
        Value::Array(
            names
                .iter()
                .map(|n| json!({"type": "image_url", "url": format!("https://e.com/{n}.png"), "ref_name": n}))
                .collect(),
        )
    }

    fn message(b: &[u8]) -> String {
        check_create(b).unwrap_err().message
    }

    #[test]
    fn accepts_a_documented_request() {
        let ok = check_create(&body(
            C1,
            "@男人 坐在@吉他 旁",
            named(&["男人", "吉他"]),
            "1280*720",
            5,
        ))
        .unwrap();
        assert_eq!(ok.resolution, "720P");
    }

    #[test]
    fn rejects_c1_sizes_and_durations_on_v56() {
        assert!(message(&body(V56, "x", one(), "1108*832", 5)).contains("1108*832"));
        assert!(check_create(&body(V56, "x", one(), "1108*830", 5)).is_ok());
        assert!(message(&body(V56, "x", one(), "1280*720", 15)).contains("duration 15"));
        assert!(message(&body(V56, "x", one(), "1920*1080", 10)).contains("1080P"));
        assert!(check_create(&body(C1, "x", one(), "1280*720", 15)).is_ok());
    }

    #[test]
    fn prompt_limit_counts_characters() {
        let long = "字".repeat(2049);
        assert!(message(&body(V56, &long, one(), "1280*720", 5)).contains("2049"));
        assert!(check_create(&body(C1, &long, one(), "1280*720", 5)).is_ok());
    }

    #[test]
    fn ref_names_must_be_unique_and_all_mentioned_with_a_space() {
        assert!(
            message(&body(C1, "@a @a ", named(&["a", "a"]), "1280*720", 5)).contains("duplicated")
        );
        assert!(
            message(&body(C1, "@a 走", named(&["a", "b"]), "1280*720", 5))
                .contains("\"b\" is not mentioned")
        );
        assert!(
            message(&body(C1, "@a，走", named(&["a"]), "1280*720", 5))
                .contains("followed by a space")
        );
        assert!(message(&body(C1, "@c 走", named(&["a"]), "1280*720", 5)).contains("@c"));
        assert!(
            message(&body(C1, "@a 走", one(), "1280*720", 5))
                .contains("no input.media item has a ref_name")
        );
    }

    #[test]
    fn v6_takes_eight_ratios_one_to_fifteen_seconds_and_five_thousand_characters() {
        const V6: &str = "pixverse/pixverse-v6-r2v";
        let ok = check_create(&body(V6, "@a 走", named(&["a"]), "1920*832", 15)).unwrap();
        assert_eq!(ok.resolution, "1080P");
        assert_eq!(ok.model.series, "pixverse-v6");
        assert!(message(&body(V6, "x", one(), "1280*720", 16)).contains("duration 16"));
        assert!(message(&body(V6, "x", one(), "1108*830", 5)).contains("1108*830"));
        assert!(check_create(&body(V6, &"字".repeat(5000), one(), "640*360", 1)).is_ok());
        assert!(message(&body(V6, &"字".repeat(5001), one(), "640*360", 1)).contains("5001"));
    }

    #[test]
    fn unknown_model_is_not_found() {
        let r = check_create(&body("wan2.5", "x", one(), "1280*720", 5)).unwrap_err();
        assert_eq!((r.status, r.code), (404, "ModelNotFound"));
    }

    #[test]
    fn wrong_types_and_missing_fields_are_named() {
        assert!(message(b"{").contains("not valid JSON"));
        assert!(message(br#"{"model":"pixverse/pixverse-c1-r2v"}"#).contains("input"));
        let mut v: Value = serde_json::from_slice(&body(C1, "x", one(), "1280*720", 5)).unwrap();
        v["parameters"]["seed"] = json!(-1);
        assert!(message(&serde_json::to_vec(&v).unwrap()).contains("seed"));
        v["parameters"]["seed"] = json!(7);
        v["parameters"]["audio"] = json!("yes");
        assert!(message(&serde_json::to_vec(&v).unwrap()).contains("audio"));
        let media = json!([{"type": "video_url", "url": "https://e.com/a.mp4"}]);
        assert!(message(&body(C1, "x", media, "1280*720", 5)).contains("image_url"));
        let eight = Value::Array((0..8).map(|_| one()[0].clone()).collect());
        assert!(message(&body(C1, "x", eight, "1280*720", 5)).contains("got 8"));
    }
}
