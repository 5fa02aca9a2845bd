//! The service's answers, as bytes off the wire: task answers, task lists,
//! upload policies and error bodies (JSON or OSS XML). No panic; an error
//! always gets a code and a description.
#![no_main]

use libfuzzer_sys::fuzz_target;
use r2v_studio::api::ApiError;
use r2v_studio::api::types::{TaskList, TaskResponse, UploadPolicy};

fuzz_target!(|data: &[u8]| {
    if let Ok(answer) = serde_json::from_slice::<TaskResponse>(data) {
        let _ = answer.output.task_status.clone();
    }
    let _ = serde_json::from_slice::<TaskList>(data);
    let _ = serde_json::from_slice::<UploadPolicy>(data);
    let status = data.first().map_or(500, |b| 400 + u16::from(*b % 200));
    let e = ApiError::from_response(status, None, data);
    assert!(!e.code.is_empty());
    let what = e.describe();
    assert!(!what.en.is_empty() && !what.zh.is_empty());
    let advice = e.advice();
    assert!(!advice.en.is_empty() && !advice.zh.is_empty());
});
