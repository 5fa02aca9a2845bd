//! Errors from the service, and what the user should do about each.

use super::types::ErrorBody;
use crate::core::Localized;
use crate::{loc, tr};
use std::fmt;

/// A definite answer from the service that the call did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub http_status: u16,
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
    /// The answer carried the service's own error body (its `code` and
    /// `request_id`). Only such an answer to a create says for sure that nothing
    /// was created; a gateway's empty 504 or HTML 502 does not.
    pub from_service: bool,
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
        let from_service = non_empty(parsed.code.clone()).is_some()
            && non_empty(parsed.request_id.clone()).is_some();
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
            from_service,
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
            .map(|id| tr!(lang, "api-request-id", id = id))
            .unwrap_or_default();
        format!("{}: {} {}{id}", self.code, self.message, advice.get(lang))
    }
}

/// Advice per error code, falling back on the HTTP status.
pub fn advice_for(code: &str, http_status: u16) -> Localized {
    match code {
        "InvalidApiKey" => loc!("api-advice-invalid-api-key"),
        "AccessDenied.Unpurchased" => loc!("api-advice-unpurchased"),
        "AccessDenied" => loc!("api-advice-access-denied"),
        "Arrearage" => loc!("api-advice-arrearage"),
        "DataInspectionFailed" | "InvalidParameter.DataInspection" => {
            loc!("api-advice-data-inspection")
        }
        "ModelNotFound" => loc!("api-advice-model-not-found"),
        "Throttling.RateQuota" | "Throttling.BurstRate" | "Throttling" => {
            loc!("api-advice-throttling")
        }
        "Throttling.AllocationQuota" => loc!("api-advice-quota-used-up"),
        "InternalError.Timeout" => loc!("api-advice-generation-timeout"),
        "ModelUnavailable" => loc!("api-advice-model-unavailable"),
        "UnsupportedOperation" => loc!("api-advice-unsupported-operation"),
        "InvalidParameter" => loc!("api-advice-invalid-parameter"),
        "MalformedAnswer" => loc!("api-advice-malformed-answer"),
        _ if code.starts_with("InvalidParameter") => advice_for("InvalidParameter", http_status),
        _ if code.starts_with("Throttling") => advice_for("Throttling", http_status),
        _ => match http_status {
            401 => advice_for("InvalidApiKey", http_status),
            403 => advice_for("AccessDenied", http_status),
            408 | 500 | 502 | 503 | 504 => loc!("api-advice-server-trouble"),
            429 => advice_for("Throttling", http_status),
            _ => loc!("api-advice-refused"),
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
            } => loc!("api-advice-connect"),
            Error::Transport { .. } => loc!("api-advice-network-unstable"),
            Error::Malformed { http_status, .. } => advice_for("MalformedAnswer", *http_status),
            Error::Invalid(_) => loc!("api-advice-invalid-request"),
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
    fn only_the_services_own_error_body_is_definite() {
        let service = br#"{"request_id":"r-1","code":"Throttling","message":"slow down"}"#;
        assert!(ApiError::from_response(429, None, service).from_service);
        assert!(!ApiError::from_response(504, Some("hdr".into()), b"").from_service);
        let page = b"<html><body><h1>502 Bad Gateway</h1></body></html>";
        assert!(!ApiError::from_response(502, None, page).from_service);
        let half = br#"{"message":"upstream timeout"}"#;
        assert!(!ApiError::from_response(504, None, half).from_service);
    }

    #[test]
    fn user_text_carries_the_request_id() {
        let e = ApiError {
            http_status: 401,
            code: "InvalidApiKey".into(),
            message: "Invalid API-key provided.".into(),
            request_id: Some("req-1".into()),
            from_service: true,
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
