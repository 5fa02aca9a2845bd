//! The exact request as JSON or as a curl command, for sharing and debugging.
//! The key is always `$DASHSCOPE_API_KEY`, never the real one.

use super::client::{ASYNC_HEADER, CREATE_PATH, OSS_RESOLVE_HEADER};
use super::key::API_KEY_ENV;
use super::types::CreateTaskRequest;

/// The URL each reference would have in the request: its own URL, or for a local
/// file a placeholder for the `oss://` key its upload will get.
pub fn placeholder_urls(spec: &crate::core::GenerationSpec) -> Vec<String> {
    spec.references
        .iter()
        .map(|r| match &r.source {
            crate::core::RefSource::Url(url) => url.clone(),
            crate::core::RefSource::Local(path) => {
                let file = path
                    .file_name()
                    .map(|f| f.to_string_lossy().into_owned())
                    .unwrap_or_default();
                format!("oss://dashscope-instant/<upload of {file}>")
            }
        })
        .collect()
}

/// The body, pretty-printed.
pub fn request_json(body: &CreateTaskRequest) -> String {
    serde_json::to_string_pretty(body).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// A POSIX shell command that sends `body` to `base_url`.
pub fn curl_command(base_url: &str, body: &CreateTaskRequest) -> String {
    let url = format!("{}{CREATE_PATH}", base_url.trim_end_matches('/'));
    let mut lines = vec![
        format!("curl -sS -X POST {}", shell_quote(&url)),
        format!("  -H \"Authorization: Bearer ${API_KEY_ENV}\""),
        "  -H 'Content-Type: application/json'".to_string(),
        format!("  -H '{ASYNC_HEADER}: enable'"),
    ];
    if body.needs_oss_resolve() {
        lines.push(format!("  -H '{OSS_RESOLVE_HEADER}: enable'"));
    }
    let json = serde_json::to_string(body).unwrap_or_default();
    lines.push(format!("  -d {}", shell_quote(&json)));
    lines.join(" \\\n")
}

/// Single-quotes `text` for a POSIX shell.
pub fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::types::{CreateInput, CreateParameters, Media};

    fn body(url: &str, prompt: &str) -> CreateTaskRequest {
        CreateTaskRequest {
            model: "pixverse/pixverse-c1-r2v".into(),
            input: CreateInput {
                media: vec![Media {
                    kind: "image_url".into(),
                    url: url.into(),
                    ref_name: None,
                }],
                prompt: prompt.into(),
            },
            parameters: CreateParameters {
                size: "1280*720".into(),
                duration: 5,
                audio: false,
                watermark: false,
                seed: None,
            },
        }
    }

    #[test]
    fn curl_uses_the_environment_variable_and_quotes_the_body() {
        let cmd = curl_command(
            "https://dashscope.aliyuncs.com/api/v1/",
            &body("https://e.com/a.png", "it's 猫"),
        );
        assert!(cmd.contains("Bearer $DASHSCOPE_API_KEY"));
        assert!(cmd.contains(
            "'https://dashscope.aliyuncs.com/api/v1/services/aigc/video-generation/video-synthesis'"
        ));
        assert!(cmd.contains("X-DashScope-Async: enable"));
        assert!(!cmd.contains("OssResourceResolve"));
        assert!(cmd.contains(r#"it'\''s 猫"#), "{cmd}");
    }

    #[test]
    fn curl_adds_the_resolve_header_for_oss_urls() {
        let cmd = curl_command("http://x", &body("oss://dashscope-instant/a.png", "p"));
        assert!(cmd.contains("X-DashScope-OssResourceResolve: enable"));
    }
}
