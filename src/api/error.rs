//! Errors from the service, and what the user should do about each.

use super::types::ErrorBody;
use crate::core::Localized;
use std::fmt;

/// A definite answer from the service that the call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub http_status: u16,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} (HTTP {}): {}",
            self.code, self.http_status, self.message
        )?;
        if let Some(id) = &self.request_id {
            write!(f, " [request_id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// Builds the error from a non-2xx answer: the JSON body when there is one,
    /// else the `X-Request-ID` header and a plain description of the status.
    pub fn from_response(
        http_status: u16,
        header_request_id: Option<String>,
        body: &[u8],
    ) -> ApiError {
        let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
        let parsed = parsed.or_else(|| parse_oss_xml(body)).unwrap_or_default();
        let non_empty = |s: Option<String>| s.filter(|s| !s.trim().is_empty());
        let code =
            non_empty(parsed.code).unwrap_or_else(|| status_code_name(http_status).to_string());
        let message = non_empty(parsed.message)
            .or_else(|| non_empty(parsed.msg))
            .unwrap_or_else(|| status_description(http_status));
        ApiError {
            http_status,
            code,
            message,
            request_id: non_empty(parsed.request_id).or(header_request_id),
        }
    }

    /// Worth trying again after a pause: rate limits and server-side trouble.
    pub fn is_transient(&self) -> bool {
        matches!(self.http_status, 408 | 429 | 500 | 502 | 503 | 504)
            && !matches!(
                self.code.as_str(),
                "Arrearage" | "Throttling.AllocationQuota"
            )
    }

    /// A rate or concurrency limit: wait for a free slot, then submit again.
    pub fn is_throttling(&self) -> bool {
        self.http_status == 429 || self.code.starts_with("Throttling")
    }

    /// What happened and what to do, in both languages.
    pub fn advice(&self) -> Localized {
        advice_for(&self.code, self.http_status)
    }

    /// One line for the user: message, advice and request id.
    pub fn user_text(&self, lang: crate::core::Lang) -> String {
        let advice = self.advice();
        let id = self
            .request_id
            .as_deref()
            .map(|id| match lang {
                crate::core::Lang::En => format!(" (request_id: {id})"),
                crate::core::Lang::Zh => format!("（request_id：{id}）"),
            })
            .unwrap_or_default();
        format!("{}: {} {}{id}", self.code, self.message, advice.get(lang))
    }
}

/// Advice per error code, falling back on the HTTP status.
pub fn advice_for(code: &str, http_status: u16) -> Localized {
    let l = Localized::new;
    match code {
        "InvalidApiKey" => l(
            "The API key was refused. Check that it is copied whole, and that it was created in the \
             Beijing (cn-beijing) region: a key from another region (e.g. Singapore) gets this same error.",
            "API Key 无效。请检查是否完整复制，并确认它创建于北京地域（cn-beijing）：其他地域（如新加坡）的 Key 也会得到此错误。",
        ),
        "AccessDenied.Unpurchased" => l(
            "This model is not activated for your account: activate it in the Model Studio console, then try again.",
            "您的账号尚未开通此模型：请在百炼控制台开通后重试。",
        ),
        "AccessDenied" => l(
            "The service refused access. If this keeps happening, check the key's permissions and the \
             workspace in the Model Studio console; an expired upload permission is renewed automatically on retry.",
            "服务拒绝访问。如持续出现，请在百炼控制台检查 Key 的权限和业务空间；过期的上传授权会在重试时自动更新。",
        ),
        "Arrearage" => l(
            "Your Alibaba Cloud account is overdue: top it up in the console, then try again.",
            "阿里云账号已欠费：请在控制台充值后重试。",
        ),
        "DataInspectionFailed" | "InvalidParameter.DataInspection" => l(
            "Content moderation rejected the prompt, an image or the result. Change the wording or the \
             reference images and generate again.",
            "内容审核未通过（提示词、参考图或生成结果）。请修改描述或更换参考图后重新生成。",
        ),
        "ModelNotFound" => l(
            "The service does not know this model. Check the region / base URL: the PixVerse models are served only in Beijing.",
            "服务找不到此模型。请检查地域 / Base URL：PixVerse 模型仅在北京地域提供。",
        ),
        "Throttling.RateQuota" | "Throttling.BurstRate" | "Throttling" => l(
            "Too many requests at once for your account. The app waits and tries again by itself.",
            "账号同时请求过多。应用会自动等待后重试。",
        ),
        "Throttling.AllocationQuota" => l(
            "Your account's quota for this model is used up: wait for it to renew or raise it in the console.",
            "账号在此模型上的配额已用完：请等待配额恢复，或在控制台提升配额。",
        ),
        "InternalError.Timeout" => l(
            "The service gave up on this generation after 3 hours. Generate again (this is billed as a new task).",
            "服务在 3 小时后放弃了此次生成。请重新生成（将作为新任务计费）。",
        ),
        "ModelUnavailable" => l(
            "The model is temporarily unavailable. The app tries again by itself; if it lasts, try later.",
            "模型暂时不可用。应用会自动重试；如持续出现，请稍后再试。",
        ),
        "UnsupportedOperation" => l(
            "Only a task that is still waiting (PENDING) can be cancelled; a running task finishes and is billed.",
            "只有仍在排队（PENDING）的任务可以取消；已开始运行的任务会完成并计费。",
        ),
        "InvalidParameter" => l(
            "The service refused a parameter (see the message). Fix it and generate again.",
            "服务拒绝了某个参数（见错误信息）。请修改后重新生成。",
        ),
        "MalformedAnswer" => l(
            "The service's answer could not be read. Try again; if it keeps happening, quote the request_id to support.",
            "无法解析服务的应答。请重试；如持续出现，请向技术支持提供 request_id。",
        ),
        _ if code.starts_with("InvalidParameter") => advice_for("InvalidParameter", http_status),
        _ if code.starts_with("Throttling") => advice_for("Throttling", http_status),
        _ => match http_status {
            401 => advice_for("InvalidApiKey", http_status),
            403 => advice_for("AccessDenied", http_status),
            408 | 500 | 502 | 503 | 504 => l(
                "The service had a temporary problem. The app tries again by itself; if it lasts, try later.",
                "服务出现临时问题。应用会自动重试；如持续出现，请稍后再试。",
            ),
            429 => advice_for("Throttling", http_status),
            _ => l(
                "The request was refused. Check the message; if it is unclear, quote the request_id to support.",
                "请求被拒绝。请查看错误信息；如不明确，请向技术支持提供 request_id。",
            ),
        },
    }
}

fn status_code_name(status: u16) -> &'static str {
    match status {
        400 => "BadRequest",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "NotFound",
        408 => "RequestTimeout",
        429 => "Throttling",
        500 => "InternalError",
        502 => "BadGateway",
        503 => "ServiceUnavailable",
        504 => "GatewayTimeout",
        _ => "HttpError",
    }
}

fn status_description(status: u16) -> String {
    match status {
        502 => "The service's gateway answered 502 Bad Gateway without details.".into(),
        503 => "The service answered 503 Service Unavailable without details.".into(),
        504 => "The service's gateway timed out (504) without details.".into(),
        _ => format!("The service answered HTTP {status} without details."),
    }
}

/// OSS (the upload host) answers errors in XML: pick out the three fields.
fn parse_oss_xml(body: &[u8]) -> Option<ErrorBody> {
    let text = std::str::from_utf8(body).ok()?;
    if !text.contains("<Error>") {
        return None;
    }
    let field = |tag: &str| {
        let open = format!("<{tag}>");
        let close = format!("</{tag}>");
        let start = text.find(&open)? + open.len();
        let end = start + text[start..].find(&close)?;
        Some(text[start..end].trim().to_string())
    };
    Some(ErrorBody {
        request_id: field("RequestId"),
        code: field("Code"),
        message: field("Message"),
        msg: None,
    })
}

/// Why a call did not give the expected answer.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The service answered with an error: nothing was done.
    #[error("{0}")]
    Api(ApiError),
    /// No usable answer arrived. When `maybe_delivered` is true the request may have
    /// reached the service and taken effect (a create may have made a task).
    #[error("{}", transport_text(*.kind, .detail))]
    Transport {
        kind: TransportKind,
        maybe_delivered: bool,
        detail: String,
    },
    /// An answer arrived but is not what the protocol says. A 2xx answer to a create
    /// may still mean a task exists.
    #[error("the service's answer (HTTP {http_status}) could not be read: {detail}{}", .request_id.as_deref().map(|id| format!(" [request_id {id}]")).unwrap_or_default())]
    Malformed {
        http_status: u16,
        request_id: Option<String>,
        detail: String,
    },
    /// The request could not be made at all (bad base URL, bad task id…).
    #[error("{0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// Could not connect: the request never left.
    Connect,
    Timeout,
    /// The connection broke while sending or receiving.
    Broken,
}

fn transport_text(kind: TransportKind, detail: &str) -> String {
    match kind {
        TransportKind::Connect => format!("could not connect to the service: {detail}"),
        TransportKind::Timeout => format!("the service did not answer in time: {detail}"),
        TransportKind::Broken => format!("the connection to the service broke: {detail}"),
    }
}

impl Error {
    /// The request may have reached the service without us seeing the outcome.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            Error::Transport {
                maybe_delivered, ..
            } => *maybe_delivered,
            Error::Malformed { http_status, .. } => (200..300).contains(http_status),
            Error::Api(_) | Error::Invalid(_) => false,
        }
    }

    /// Worth repeating a read-only call (query, list, download) after a pause.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Api(e) => e.is_transient(),
            Error::Transport { .. } => true,
            Error::Malformed { http_status, .. } => {
                *http_status >= 500 || (200..300).contains(http_status)
            }
            Error::Invalid(_) => false,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.request_id.as_deref(),
            Error::Malformed { request_id, .. } => request_id.as_deref(),
            _ => None,
        }
    }

    /// What to do, in both languages.
    pub fn advice(&self) -> Localized {
        match self {
            Error::Api(e) => e.advice(),
            Error::Transport {
                kind: TransportKind::Connect,
                ..
            } => Localized::new(
                "Check your internet connection and the base URL in settings, then try again.",
                "请检查网络连接和设置中的 Base URL，然后重试。",
            ),
            Error::Transport { .. } => Localized::new(
                "The network or the service is slow or unstable. The app tries again where that is safe.",
                "网络或服务较慢或不稳定。在安全的情况下应用会自动重试。",
            ),
            Error::Malformed { http_status, .. } => advice_for("MalformedAnswer", *http_status),
            Error::Invalid(_) => Localized::new(
                "Check the settings (base URL) and the task id.",
                "请检查设置（Base URL）和任务 ID。",
            ),
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_message_or_msg_and_prefers_the_body_request_id() {
        let e = ApiError::from_response(
            400,
            Some("hdr".into()),
            br#"{"request_id":"body","code":"InvalidParameter","message":"bad size"}"#,
        );
        assert_eq!(e.code, "InvalidParameter");
        assert_eq!(e.message, "bad size");
        assert_eq!(e.request_id.as_deref(), Some("body"));
        let e =
            ApiError::from_response(400, Some("hdr".into()), br#"{"code":"X","msg":"via msg"}"#);
        assert_eq!(e.message, "via msg");
        assert_eq!(e.request_id.as_deref(), Some("hdr"));
    }

    #[test]
    fn bodiless_and_html_gateway_errors_get_a_clear_text() {
        let e = ApiError::from_response(502, None, b"<html><body>Bad Gateway</body></html>");
        assert_eq!(e.code, "BadGateway");
        assert!(e.message.contains("502"));
        assert!(e.is_transient());
        let e = ApiError::from_response(503, Some("rid".into()), b"");
        assert_eq!(e.code, "ServiceUnavailable");
        assert_eq!(e.request_id.as_deref(), Some("rid"));
    }

    #[test]
    fn parses_oss_xml_errors() {
        let xml = b"<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Request has expired.</Message><RequestId>abc</RequestId></Error>";
        let e = ApiError::from_response(403, None, xml);
        assert_eq!(
            (e.code.as_str(), e.message.as_str()),
            ("AccessDenied", "Request has expired.")
        );
        assert_eq!(e.request_id.as_deref(), Some("abc"));
    }

    #[test]
    fn advice_names_the_region_for_invalid_keys_and_the_console_for_unpurchased() {
        let advice = advice_for("InvalidApiKey", 401);
        assert!(advice.en.contains("region") && advice.zh.contains("地域"));
        assert!(
            advice_for("AccessDenied.Unpurchased", 403)
                .en
                .contains("activate")
        );
        assert!(
            advice_for("Throttling.BurstRate", 429)
                .en
                .contains("tries again")
        );
        assert!(
            advice_for("InvalidParameter.Whatever", 400)
                .en
                .contains("parameter")
        );
        assert!(advice_for("Arrearage", 400).zh.contains("欠费"));
    }

    #[test]
    fn user_text_carries_the_request_id() {
        let e = ApiError {
            http_status: 401,
            code: "InvalidApiKey".into(),
            message: "Invalid API-key provided.".into(),
            request_id: Some("req-1".into()),
        };
        let text = e.user_text(crate::core::Lang::En);
        assert!(text.contains("req-1") && text.contains("region"), "{text}");
        assert!(e.user_text(crate::core::Lang::Zh).contains("地域"));
    }

    #[test]
    fn only_transport_failures_after_sending_are_ambiguous() {
        let sent = Error::Transport {
            kind: TransportKind::Timeout,
            maybe_delivered: true,
            detail: String::new(),
        };
        let not_sent = Error::Transport {
            kind: TransportKind::Connect,
            maybe_delivered: false,
            detail: String::new(),
        };
        let garbled_ok = Error::Malformed {
            http_status: 200,
            request_id: None,
            detail: String::new(),
        };
        let api = Error::Api(ApiError::from_response(500, None, b""));
        assert!(sent.is_ambiguous() && garbled_ok.is_ambiguous());
        assert!(!not_sent.is_ambiguous() && !api.is_ambiguous());
    }
}
