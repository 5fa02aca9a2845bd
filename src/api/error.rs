//! Errors from the service, and what the user should do about each.

use super::types::ErrorBody;
use crate::core::Localized;
use crate::core::redact::mask_secrets;
use crate::{loc, tr};
use std::fmt;

/// A non-2xx answer: the service's own error, or a bare HTTP status from
/// something on the way (a gateway, a proxy).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub http_status: u16,
    /// The service's error code, or a name for the HTTP status when the answer
    /// had none (`BadGateway`, `HttpError`…).
    pub code: String,
    /// The service's own message, secrets masked and length capped; empty when
    /// the answer had none (see [`ApiError::describe`] for a text to show).
    pub message: String,
    pub request_id: Option<String>,
    /// The answer carried the service's own error body (its `code` and
    /// `request_id`, as JSON or OSS XML): a definite refusal. Only such an answer
    /// to a create says for sure that nothing was created; otherwise (an empty
    /// 504, an HTML 502 page) something on the way answered, and the service may
    /// have acted.
    pub from_service: bool,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (HTTP {})", self.code, self.http_status)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(id) = &self.request_id {
            write!(f, " [request_id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// Builds the error from a non-2xx answer: the JSON (or OSS XML) body when
    /// there is one, else the `X-Request-ID` header and the status. Every text
    /// taken from the answer has its secrets masked.
    pub fn from_response(
        http_status: u16,
        header_request_id: Option<String>,
        body: &[u8],
    ) -> ApiError {
        let parsed: Option<ErrorBody> = serde_json::from_slice(body).ok();
        let parsed = parsed.or_else(|| parse_oss_xml(body)).unwrap_or_default();
        let from_network = |s: Option<String>| {
            s.filter(|s| !s.trim().is_empty())
                .map(|s| mask_secrets(s.trim()))
        };
        let code = from_network(parsed.code);
        let body_request_id = from_network(parsed.request_id);
        let from_service = code.is_some() && body_request_id.is_some();
        ApiError {
            http_status,
            code: code.unwrap_or_else(|| status_code_name(http_status).to_string()),
            message: from_network(parsed.message)
                .or_else(|| from_network(parsed.msg))
                .unwrap_or_default(),
            request_id: body_request_id.or_else(|| from_network(header_request_id)),
            from_service,
        }
    }

    /// What happened, in each language's own words; the service's message and
    /// code as they came (masked).
    pub fn describe(&self) -> Localized {
        let status = self.http_status;
        let code = self.code.as_str();
        if !self.message.is_empty() {
            let message = mask_secrets(&self.message);
            loc!(
                "api-error-answered",
                status = status,
                code = code,
                message = message
            )
        } else if self.from_service {
            loc!("api-error-answered-code", status = status, code = code)
        } else {
            loc!("api-error-status", status = status)
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

    /// One line for the user: what happened, advice and request id.
    pub fn user_text(&self, lang: crate::core::Lang) -> String {
        let id = self
            .request_id
            .as_deref()
            .map(|id| tr!(lang, "api-request-id", id = id))
            .unwrap_or_default();
        format!(
            "{} {}{id}",
            self.describe().get(lang),
            self.advice().get(lang)
        )
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

/// Why a call did not give the expected answer. `Display` is the English
/// [`Error::describe`], for logs; show `describe()` and `advice()` to users.
#[derive(Debug)]
pub enum Error {
    /// A non-2xx answer: see [`ApiError::from_service`] for whether it is the
    /// service's own (definite) refusal.
    Api(ApiError),
    /// No usable answer arrived. When `maybe_delivered` is true the request may have
    /// reached the service and taken effect (a create may have made a task).
    Transport {
        kind: TransportKind,
        /// What went wrong, for the words shown.
        cause: TransportCause,
        maybe_delivered: bool,
        /// The system's own words (masked): technical detail.
        detail: String,
    },
    /// An answer arrived but is not what the protocol says. A 2xx answer to a create
    /// may still mean a task exists.
    Malformed {
        http_status: u16,
        request_id: Option<String>,
        /// Why it could not be read, in the parser's words (masked); empty when
        /// the answer was too large.
        detail: String,
    },
    /// The request could not be made at all (bad base URL, bad task id…).
    Invalid(Localized),
}

/// Whether a request that got no answer may have reached the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportKind {
    /// Could not connect: the request never left.
    Connect,
    Timeout,
    /// The connection broke while sending or receiving.
    Broken,
}

/// What went wrong on the way, as far as the system says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransportCause {
    /// The host name did not resolve.
    Dns,
    /// Nothing listens at the address (or a firewall refused).
    Refused,
    /// The other side (or something between) cut the connection.
    Reset,
    /// The secure connection could not be set up (certificate, TLS version).
    Tls,
    TimedOut,
    /// Nothing more specific is known: the words follow [`TransportKind`].
    Other,
}

impl TransportCause {
    /// `self`, or `other` when nothing more specific is known yet.
    pub fn or(self, other: TransportCause) -> TransportCause {
        if self == TransportCause::Other {
            other
        } else {
            self
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Keeps the code and status visible in logs.
            Error::Api(e) => write!(f, "{e}"),
            other => f.write_str(&other.describe_with_request_id().en),
        }
    }
}

impl std::error::Error for Error {}

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

    /// What happened, in each language's own words, as a clause that fits in a
    /// sentence ("Checking on the task failed (…)"). Technical detail (the
    /// system's error, the service's message) is a verbatim part. Without the
    /// request id: see [`Error::describe_with_request_id`].
    pub fn describe(&self) -> Localized {
        match self {
            Error::Api(e) => e.describe(),
            Error::Transport {
                kind,
                cause,
                detail,
                ..
            } => {
                let detail = mask_secrets(detail);
                match (cause, kind) {
                    (TransportCause::Dns, _) => loc!("api-error-dns", detail = detail),
                    (TransportCause::Refused, _) => loc!("api-error-refused", detail = detail),
                    (TransportCause::Reset, _) => loc!("api-error-reset", detail = detail),
                    (TransportCause::Tls, _) => loc!("api-error-tls", detail = detail),
                    (TransportCause::TimedOut, _) | (_, TransportKind::Timeout) => {
                        loc!("api-error-timeout", detail = detail)
                    }
                    (_, TransportKind::Connect) => loc!("api-error-connect", detail = detail),
                    (_, TransportKind::Broken) => loc!("api-error-broken", detail = detail),
                }
            }
            Error::Malformed {
                http_status,
                detail,
                ..
            } if detail.is_empty() => loc!(
                "api-error-too-large",
                status = *http_status,
                megabytes = MAX_ANSWER_MEGABYTES
            ),
            Error::Malformed {
                http_status,
                detail,
                ..
            } => loc!(
                "api-error-unreadable",
                status = *http_status,
                detail = mask_secrets(detail)
            ),
            Error::Invalid(what) => what.clone(),
        }
    }

    /// [`Error::describe`] followed by the request id when there is one: what
    /// to show where no separate request id is shown (warnings, notices).
    pub fn describe_with_request_id(&self) -> Localized {
        match self.request_id() {
            Some(id) => loc!("api-error-with-request-id", what = self.describe(), id = id),
            None => self.describe(),
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

/// API answers are small; anything bigger is not a real answer.
pub const MAX_ANSWER_MEGABYTES: usize = 4;

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
        assert!(!e.from_service && e.message.is_empty());
        let what = e.describe();
        assert!(
            what.en.contains("502") && what.en.contains("gateway"),
            "{what}"
        );
        assert!(
            what.zh.contains("502") && what.zh.contains("网关"),
            "{what:?}"
        );
        assert!(e.is_transient());
        let e = ApiError::from_response(503, Some("rid".into()), b"");
        assert_eq!(e.code, "ServiceUnavailable");
        assert_eq!(e.request_id.as_deref(), Some("rid"));
        // The service's own body (code and request id) is a definite answer; a code
        // alone may come from a gateway.
        let e = ApiError::from_response(500, None, br#"{"code":"InternalError","message":"x"}"#);
        assert!(!e.from_service);
        let body = br#"{"request_id":"r-9","code":"InternalError","message":"x"}"#;
        assert!(ApiError::from_response(500, None, body).from_service);
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
            cause: TransportCause::TimedOut,
            maybe_delivered: true,
            detail: String::new(),
        };
        let not_sent = Error::Transport {
            kind: TransportKind::Connect,
            cause: TransportCause::Refused,
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

    #[test]
    fn a_key_echoed_by_a_gateway_is_masked_in_every_field() {
        let key = "sk-9f8e7d6c5b4a39281706f5e4d3c2b1a0";
        let body = format!(
            r#"{{"code":"InvalidApiKey {key}","message":"Invalid API-key provided: {key}","request_id":"req-{key}"}}"#
        );
        let e = ApiError::from_response(401, None, body.as_bytes());
        let shown = [
            e.to_string(),
            e.describe().en,
            e.describe().zh,
            e.user_text(crate::core::Lang::Zh),
            Error::Api(e.clone()).describe_with_request_id().zh,
        ];
        for text in shown {
            assert!(!text.contains(key), "{text}");
            assert!(!text.contains("9f8e7d6c5b4a"), "{text}");
        }
        assert_eq!(e.message, "Invalid API-key provided: sk-…b1a0");
        // The same through OSS's XML errors.
        let xml =
            format!("<Error><Code>AccessDenied</Code><Message>Bearer {key}</Message></Error>");
        let e = ApiError::from_response(403, None, xml.as_bytes());
        // Which mask applies may depend on the keys this process remembers.
        assert!(e.message.starts_with("Bearer ") && !e.message.contains("9f8e7d6c5b4a"));
    }

    #[test]
    fn a_long_service_message_is_capped() {
        let body = format!(r#"{{"code":"X","message":"{}"}}"#, "长".repeat(5000));
        let e = ApiError::from_response(400, None, body.as_bytes());
        assert_eq!(
            e.message.chars().count(),
            crate::core::redact::MAX_NETWORK_TEXT_CHARS
        );
    }

    #[test]
    fn chinese_descriptions_hold_no_english_of_ours() {
        let transport = |kind, cause| Error::Transport {
            kind,
            cause,
            maybe_delivered: true,
            detail: "os error 111".into(),
        };
        let errors = [
            transport(TransportKind::Connect, TransportCause::Dns),
            transport(TransportKind::Connect, TransportCause::Refused),
            transport(TransportKind::Broken, TransportCause::Reset),
            transport(TransportKind::Connect, TransportCause::Tls),
            transport(TransportKind::Timeout, TransportCause::TimedOut),
            transport(TransportKind::Connect, TransportCause::Other),
            transport(TransportKind::Broken, TransportCause::Other),
            Error::Malformed {
                http_status: 200,
                request_id: Some("r-1".into()),
                detail: "expected value at line 1 column 1".into(),
            },
            Error::Malformed {
                http_status: 200,
                request_id: None,
                detail: String::new(),
            },
            Error::Api(ApiError::from_response(504, None, b"")),
            Error::Api(ApiError::from_response(
                400,
                None,
                br#"{"code":"InvalidParameter"}"#,
            )),
        ];
        let mut seen = std::collections::BTreeSet::new();
        for e in &errors {
            let zh = e.describe().zh;
            // Only the verbatim detail and protocol words may be Latin.
            let ours = zh
                .replace("os error 111", "")
                .replace("expected value at line 1 column 1", "")
                .replace("InvalidParameter", "")
                .replace("HTTP", "")
                .replace("MB", "");
            assert!(
                !ours.chars().any(|c| c.is_ascii_alphabetic()),
                "{zh} ({e:?})"
            );
            assert!(seen.insert(zh), "two errors read the same: {e:?}");
        }
        let with_id = errors[7].describe_with_request_id();
        assert!(with_id.zh.contains("r-1") && with_id.en.contains("r-1"));
    }
}
