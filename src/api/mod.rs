//! The Model Studio wire protocol: bodies, a client, errors and their advice.

pub mod client;
pub mod error;
pub mod export;
pub mod key;
pub mod types;

pub use client::{Client, ClientConfig, Created, is_task_id};
pub use error::{ApiError, Error, TransportCause, TransportKind};
pub use key::{ApiKey, resolve_base_url};
pub use types::{CreateTaskRequest, ListFilter, TaskResponse, TaskStatus, UploadPolicy};
