//! Desktop notifications, behind a seam so that tests can see them.

use std::sync::{Arc, Mutex};

/// Raises a desktop notification; must not block the caller.
pub trait Notifier: Send {
    fn notify(&self, title: &str, body: &str);
}

/// The desktop's notification service, asked from a short-lived thread (it
/// may be slow to answer). Where there is none (common on bare Linux) the
/// app carries on silently.
pub struct DesktopNotifier;

impl Notifier for DesktopNotifier {
    fn notify(&self, title: &str, body: &str) {
        let (title, body) = (title.to_string(), body.to_string());
        let spawned = std::thread::Builder::new()
            .name("r2v-notify".into()) // not text: a thread name
            .spawn(move || {
                if let Err(e) = notify_rust::Notification::new()
                    .appname("R2V Studio") // not text: the app's name for the notification service
                    .summary(&title)
                    .body(&body)
                    .show()
                {
                    tracing::debug!("notification: {e}");
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("could not start a thread for a notification: {e}");
        }
    }
}

/// Keeps every notification instead of showing it: (title, body), oldest first.
/// Clones share the list, so a test keeps one and gives the other to the app.
#[derive(Clone, Default)]
pub struct RecordedNotifications(Arc<Mutex<Vec<(String, String)>>>);

impl RecordedNotifications {
    /// The notifications raised so far.
    pub fn raised(&self) -> Vec<(String, String)> {
        // A panic elsewhere while holding the lock leaves the list usable.
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Notifier for RecordedNotifications {
    fn notify(&self, title: &str, body: &str) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((title.to_string(), body.to_string()));
    }
}
